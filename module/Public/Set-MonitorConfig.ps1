function Set-MonitorConfig {
    <#
    .SYNOPSIS
    Loads a Sysmon configuration file into the running SysmonTs monitor.

    .DESCRIPTION
    Reads a Sysmon XML configuration and hands it to the running monitor, which checks it and
    switches to it atomically: a configuration with errors is refused as a whole and the monitor
    keeps the one it had. Errors name the file, line and column of each problem (the error
    record's Exception.Data holds File, Line, Column and Errors); lint warnings are written as
    warnings. This is what 'sysmon -c <file>' does, and the monitor logs event 16.

    .PARAMETER Path
    The configuration file. Accepts pipeline input by the property names Path and FullName, so
    files from Get-Item or Get-ChildItem can be piped in.

    .PARAMETER PassThru
    Return a SysmonTs.ConfigState object with the loaded file, its hash and schema version.

    .EXAMPLE
    Set-MonitorConfig -Path ./sysmonconfig.xml

    Loads sysmonconfig.xml into the running monitor.

    .EXAMPLE
    Get-Item ./sysmonconfig.xml | Set-MonitorConfig -WhatIf

    Shows what would be loaded without changing the monitor.

    .EXAMPLE
    try { Set-MonitorConfig ./broken.xml -ErrorAction Stop } catch { $_.Exception.Data['Line'] }

    Gets the line of the first error of a configuration that the monitor refused.

    .OUTPUTS
    None, or SysmonTs.ConfigState with -PassThru.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('SysmonTs.ConfigState')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('FullName')]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [switch] $PassThru
    )
    process {
        try {
            $file = Resolve-MonitorFilePath -Path $Path -Cmdlet $PSCmdlet
            $xml = Read-MonitorConfigText -LiteralPath $file
            if (-not $PSCmdlet.ShouldProcess('SysmonTs monitor', "Load the configuration '$file'")) { return }
            $result = Invoke-MonitorRpc -Method 'config.set' -Params ([ordered]@{ xml = $xml; file = $file }) -TargetObject $file
            $warnings = @(foreach ($warning in @($result.warnings)) { if ($warning) { ConvertTo-MonitorDiagnostic -Diagnostic $warning -Severity Warning } })
            foreach ($warning in $warnings) { Write-Warning (Format-MonitorDiagnostic -Diagnostic $warning) }
            if ($PassThru) {
                [pscustomobject]@{
                    PSTypeName    = 'SysmonTs.ConfigState'
                    File          = $file
                    Hash          = [string]$result.hash
                    SchemaVersion = [string]$result.schemaVersion
                    Warnings      = $warnings
                }
            }
        }
        catch {
            if (Test-PipelineStopped -ErrorRecord $_) { throw }
            $PSCmdlet.WriteError((ConvertTo-MonitorErrorRecord -ErrorRecord $_))
        }
    }
}
