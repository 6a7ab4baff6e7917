function Get-MonitorConfig {
    <#
    .SYNOPSIS
    Gets the configuration the running SysmonTs monitor uses.

    .DESCRIPTION
    Returns the rules of the loaded Sysmon configuration as objects, one per rule condition,
    with the event ID, the configuration element (ProcessCreate, NetworkConnect ...), its
    onmatch (include or exclude), the rule group, the rule's name, the field, the condition and
    the value, so they can be filtered and sorted. With -Raw it returns the configuration's XML
    text exactly as it was loaded.

    .PARAMETER Raw
    Return the configuration XML as one string instead of rule objects.

    .EXAMPLE
    Get-MonitorConfig | Where-Object EventId -eq 1 | Format-Table

    Shows the rules that filter Process Create events.

    .EXAMPLE
    Get-MonitorConfig -Raw | Set-Content -Path ./running-config.xml

    Saves the loaded configuration to a file.

    .OUTPUTS
    SysmonTs.ConfigRule, System.String
    #>
    [CmdletBinding()]
    [OutputType('SysmonTs.ConfigRule', [string])]
    param([switch] $Raw)
    try {
        $config = Invoke-MonitorRpc -Method 'config.get'
        if ($Raw) { return [string]$config.xml }
        foreach ($rule in @($config.rules)) {
            if ($null -eq $rule) { continue }
            [pscustomobject]@{
                PSTypeName  = 'SysmonTs.ConfigRule'
                EventId     = [int]$rule.eventId
                RuleElement = [string]$rule.ruleName
                OnMatch     = [string]$rule.onmatch
                GroupName   = [string]$rule.groupName
                Name        = [string]$rule.ruleNameAttr
                Field       = [string]$rule.field
                Condition   = [string]$rule.condition
                Value       = [string]$rule.value
                ConfigFile  = [string]$config.file
            }
        }
    }
    catch {
        if (Test-PipelineStopped -ErrorRecord $_) { throw }
        $PSCmdlet.ThrowTerminatingError((ConvertTo-MonitorErrorRecord -ErrorRecord $_))
    }
}
