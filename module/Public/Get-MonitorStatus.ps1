function Get-MonitorStatus {
    <#
    .SYNOPSIS
    Gets the state of the running SysmonTs monitor.

    .DESCRIPTION
    Asks the running monitor over its control channel for its version, uptime, loaded
    configuration, sensor counters, event store and sinks, and returns them as one
    SysmonTs.Status object. Per-event counters (seen, kept, dropped) are in its Events property
    and per-sink counters in its Sinks property. When the monitor is not running the command
    fails with the error SYSMONTS_E_NOT_RUNNING.

    .EXAMPLE
    Get-MonitorStatus

    Shows the monitor's version, configuration hash, sensor state and store size.

    .EXAMPLE
    (Get-MonitorStatus).Events | Where-Object Dropped -gt 0

    Lists the event IDs for which events were dropped, with their counters.

    .OUTPUTS
    SysmonTs.Status
    #>
    [CmdletBinding()]
    [OutputType('SysmonTs.Status')]
    param()
    try {
        $status = Invoke-MonitorRpc -Method 'status'
        ConvertTo-MonitorStatus -Status $status
    }
    catch {
        if (Test-PipelineStopped -ErrorRecord $_) { throw }
        $PSCmdlet.ThrowTerminatingError((ConvertTo-MonitorErrorRecord -ErrorRecord $_))
    }
}
