function Uninstall-Monitor {
    <#
    .SYNOPSIS
    Stops the SysmonTs monitor and removes its service.

    .DESCRIPTION
    Runs 'sysmonts -u', which stops the monitor and removes its service, as 'sysmon -u' does.
    Asks for confirmation first unless -Force or -Confirm:$false is given. With -Force it runs
    'sysmonts -u force', which carries on past components that are already missing. Needs root
    or Administrator rights.

    .PARAMETER Force
    Do not ask for confirmation, and remove what is left of a partly removed installation.

    .EXAMPLE
    Uninstall-Monitor

    Asks for confirmation, then stops and removes the monitor.

    .EXAMPLE
    Uninstall-Monitor -Force

    Removes the monitor without asking, including a partly removed installation.

    .EXAMPLE
    Uninstall-Monitor -WhatIf

    Shows what would be removed without changing anything.

    .OUTPUTS
    None
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([void])]
    param([switch] $Force)
    try {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        $arguments = @('-u')
        if ($Force) { $arguments += 'force' }
        $computer = if ($env:COMPUTERNAME) { $env:COMPUTERNAME } else { [System.Net.Dns]::GetHostName() }
        if (-not $PSCmdlet.ShouldProcess($computer, 'Stop the SysmonTs monitor and remove its service')) { return }
        $run = Invoke-MonitorExecutable -ArgumentList $arguments
        Write-Verbose ($run.StandardOutput + $run.StandardError)
    }
    catch {
        if (Test-PipelineStopped -ErrorRecord $_) { throw }
        $PSCmdlet.ThrowTerminatingError((ConvertTo-MonitorErrorRecord -ErrorRecord $_))
    }
}
