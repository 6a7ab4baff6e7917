function Test-MonitorConfig {
    <#
    .SYNOPSIS
    Checks a Sysmon configuration, and optionally what it decides for given events.

    .DESCRIPTION
    Has the running monitor check a Sysmon XML configuration without loading it. Returns one
    SysmonTs.ConfigDiagnostic object per error and per lint warning, with Severity, File, Line,
    Column, Code and Message. With -Event, it also returns, for each event, whether the
    configuration would include it and under which RuleName (SysmonTs.RuleDecision objects),
    exactly as the monitor would decide it. With -Quiet it returns only $true or $false.

    .PARAMETER Path
    The configuration file. Accepts pipeline input by the property names Path and FullName.

    .PARAMETER Event
    Events to decide: objects from Get-MonitorEvent, or hashtables and objects with an EventId
    (or Id) and the event's fields by name, for example @{ EventId = 1; Image = '/usr/bin/curl' }.

    .PARAMETER Quiet
    Return $true when the configuration has no errors and $false otherwise, instead of objects.

    .EXAMPLE
    Test-MonitorConfig -Path ./sysmonconfig.xml

    Lists the errors and warnings in sysmonconfig.xml with their line and column.

    .EXAMPLE
    Test-MonitorConfig -Path ./new.xml -Event (Get-MonitorEvent -Id 1 -MaxEvents 100) | Where-Object Include

    Shows which of the last 100 Process Create events the new configuration would keep.

    .EXAMPLE
    Get-ChildItem ./configs/*.xml | Test-MonitorConfig -Quiet

    Returns $true or $false for each configuration file.

    .OUTPUTS
    SysmonTs.ConfigDiagnostic, SysmonTs.RuleDecision, System.Boolean
    #>
    [CmdletBinding()]
    [OutputType('SysmonTs.ConfigDiagnostic', 'SysmonTs.RuleDecision', [bool])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [Parameter(Position = 1)]
        [object[]] $Event,

        [switch] $Quiet
    )
    process {
        try {
            $file = Resolve-MonitorFilePath -Path $Path -Cmdlet $PSCmdlet
            $params = [ordered]@{ xml = (Read-MonitorConfigText -LiteralPath $file); file = $file }
            $inputs = @(foreach ($item in @($Event)) { if ($null -ne $item) { ConvertTo-RuleTestEvent -InputObject $item } })
            if ($inputs.Count -gt 0) { $params['events'] = @($inputs | ForEach-Object Request) }
            $result = Invoke-MonitorRpc -Method 'config.test' -Params $params -TargetObject $file
            if ($Quiet) { return [bool]$result.valid }
            foreach ($item in @($result.errors)) { if ($item) { ConvertTo-MonitorDiagnostic -Diagnostic $item -Severity Error } }
            foreach ($item in @($result.warnings)) { if ($item) { ConvertTo-MonitorDiagnostic -Diagnostic $item -Severity Warning } }
            $decisions = @($result.decisions)
            for ($i = 0; $i -lt $inputs.Count -and $i -lt $decisions.Count; $i++) {
                $decision = $decisions[$i]
                $hasError = $null -ne $decision.PSObject.Properties['error']
                [pscustomobject]@{
                    PSTypeName = 'SysmonTs.RuleDecision'
                    EventId    = $inputs[$i].EventId
                    Include    = if ($hasError) { $null } else { [bool]$decision.include }
                    RuleName   = if ($hasError) { $null } else { [string]$decision.ruleName }
                    Error      = if ($hasError) { [string]$decision.error } else { $null }
                    Event      = $inputs[$i].InputObject
                }
            }
        }
        catch {
            if (Test-PipelineStopped -ErrorRecord $_) { throw }
            $PSCmdlet.WriteError((ConvertTo-MonitorErrorRecord -ErrorRecord $_))
        }
    }
}
