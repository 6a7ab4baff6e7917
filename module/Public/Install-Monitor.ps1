function Install-Monitor {
    <#
    .SYNOPSIS
    Installs the SysmonTs monitor as a service with a Sysmon configuration, and starts it.

    .DESCRIPTION
    Runs 'sysmonts -i <config>' (with -accepteula when -AcceptEula is given), which installs the
    monitor as a service (systemd on Linux, the Service Control Manager on Windows), loads the
    configuration and starts it, as 'sysmon -i' does. The sysmonts executable is found through
    $env:SYSMONTS_PATH, then next to this module, then on PATH (SysmonTs.exe on Windows).
    Needs root or Administrator rights. With -PassThru it waits for the monitor's control
    channel and returns its status.

    .PARAMETER Config
    The Sysmon XML configuration to install with. Accepts pipeline input by the property names
    Config, Path and FullName.

    .PARAMETER AcceptEula
    Accept the license terms without a prompt (passes -accepteula).

    .PARAMETER PassThru
    Wait until the monitor answers (up to 30 seconds) and return Get-MonitorStatus's object.

    .EXAMPLE
    Install-Monitor -Config ./sysmonconfig.xml -AcceptEula

    Installs and starts the monitor with sysmonconfig.xml.

    .EXAMPLE
    Get-Item ./sysmonconfig.xml | Install-Monitor -AcceptEula -PassThru

    Installs the monitor and shows its status once it runs.

    .EXAMPLE
    Install-Monitor -Config ./sysmonconfig.xml -AcceptEula -WhatIf

    Shows what would be installed without changing anything.

    .OUTPUTS
    None, or SysmonTs.Status with -PassThru.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('SysmonTs.Status')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('Path', 'FullName')]
        [ValidateNotNullOrEmpty()]
        [string] $Config,

        [switch] $AcceptEula,

        [switch] $PassThru
    )
    process {
        try {
            $file = Resolve-MonitorFilePath -Path $Config -Cmdlet $PSCmdlet
            $arguments = @('-i', $file)
            if ($AcceptEula) { $arguments += '-accepteula' }
            $computer = if ($env:COMPUTERNAME) { $env:COMPUTERNAME } else { [System.Net.Dns]::GetHostName() }
            if (-not $PSCmdlet.ShouldProcess($computer, "Install and start the SysmonTs monitor with the configuration '$file'")) { return }
            $run = Invoke-MonitorExecutable -ArgumentList $arguments -TargetObject $file
            Write-Verbose ($run.StandardOutput + $run.StandardError)
            if ($PassThru) { Wait-MonitorStatus -TimeoutSeconds 30 }
        }
        catch {
            if (Test-PipelineStopped -ErrorRecord $_) { throw }
            $PSCmdlet.ThrowTerminatingError((ConvertTo-MonitorErrorRecord -ErrorRecord $_))
        }
    }
}
