function Get-MonitorSchema {
    <#
    .SYNOPSIS
    Gets the events the running SysmonTs monitor produces, with their fields and types.

    .DESCRIPTION
    Asks the running monitor for its event schema: for each event its ID, name, the
    configuration element that filters it, its manifest version, its level and its fields in
    manifest order with their types. Field names are the keys Get-MonitorEvent -FilterHashtable
    accepts and the names configuration rules use.

    .PARAMETER Id
    The event IDs to describe. Without it, every event is returned. Accepts pipeline input, also
    by the property name Id or EventId, so events from Get-MonitorEvent can be piped in.

    .EXAMPLE
    Get-MonitorSchema

    Lists every event with its ID, name, configuration element, version and level.

    .EXAMPLE
    (Get-MonitorSchema -Id 3).Fields

    Lists the fields of the Network connection event (3) with their types.

    .EXAMPLE
    Get-MonitorEvent -MaxEvents 1 | Get-MonitorSchema

    Describes the event type of the newest stored event.

    .OUTPUTS
    SysmonTs.SchemaEvent
    #>
    [CmdletBinding()]
    [OutputType('SysmonTs.SchemaEvent')]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('EventId')]
        [ValidateRange(0, 65535)]
        [int[]] $Id
    )
    begin { $wanted = [System.Collections.Generic.List[int]]::new() }
    process { foreach ($value in @($Id)) { if ($null -ne $value) { $wanted.Add($value) } } }
    end {
        try {
            # One request for everything, or one per wanted ID ("schema" takes a single id).
            $requests = if ($wanted.Count -eq 0) { , @{} } else { @($wanted | Sort-Object -Unique | ForEach-Object { @{ id = $_ } }) }
            foreach ($params in $requests) {
                $schema = Invoke-MonitorRpc -Method 'schema' -Params $params -TargetObject $params['id']
                foreach ($definition in @($schema.events)) {
                    if ($null -eq $definition) { continue }
                    [pscustomobject]@{
                        PSTypeName  = 'SysmonTs.SchemaEvent'
                        Id          = [int]$definition.id
                        Name        = [string]$definition.name
                        RuleElement = [string]$definition.ruleName
                        Version     = [int]$definition.version
                        Level       = [string]$definition.level
                        Fields      = @(foreach ($field in @($definition.fields)) {
                                [pscustomobject]@{ PSTypeName = 'SysmonTs.SchemaField'; Name = [string]$field.name; Type = [string]$field.type }
                            })
                    }
                }
            }
        }
        catch {
            if (Test-PipelineStopped -ErrorRecord $_) { throw }
            $PSCmdlet.ThrowTerminatingError((ConvertTo-MonitorErrorRecord -ErrorRecord $_))
        }
    }
}
