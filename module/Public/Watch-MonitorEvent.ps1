function Watch-MonitorEvent {
    <#
    .SYNOPSIS
    Streams new events from the SysmonTs monitor as they happen, until Ctrl+C.

    .DESCRIPTION
    Subscribes to the running monitor's kept events and writes each new event to the pipeline
    as soon as the monitor sends it, typed exactly as Get-MonitorEvent types them. Filtering
    happens in the monitor: -Id and -FilterHashtable (event IDs and field names as keys) select
    what is sent. The stream runs until Ctrl+C, until -MaxEvents events have arrived, or until
    -Timeout passes; the subscription is always cancelled on the way out.

    .PARAMETER Id
    Only events with these event IDs.

    .PARAMETER FilterHashtable
    Field filters as in Get-MonitorEvent: @{ Id = 3; DestinationPort = 443 }. StartTime and
    EndTime are not accepted because only new events are streamed.

    .PARAMETER MaxEvents
    Stop after this many events.

    .PARAMETER Timeout
    Stop after this many seconds.

    .EXAMPLE
    Watch-MonitorEvent -Id 1

    Shows each new process as it starts, until Ctrl+C.

    .EXAMPLE
    Watch-MonitorEvent -FilterHashtable @{ Id = 3; Initiated = $true } | Select-Object TimeCreated, Image, DestinationIp, DestinationPort

    Follows outgoing network connections.

    .EXAMPLE
    Watch-MonitorEvent -Id 11 -MaxEvents 1 -Timeout 30

    Waits up to 30 seconds for the next File created event.

    .OUTPUTS
    SysmonTs.Event.<EventName> (also SysmonTs.Event)
    #>
    [CmdletBinding()]
    [OutputType('SysmonTs.Event')]
    param(
        [Parameter(Position = 0)]
        [ValidateRange(0, 65535)]
        [int[]] $Id,

        [hashtable] $FilterHashtable = @{},

        [ValidateRange(1, [long]::MaxValue)]
        [long] $MaxEvents,

        [ValidateRange(1, [int]::MaxValue)]
        [int] $Timeout
    )
    $channel = $null
    $subscription = $null
    try {
        $queries = @(ConvertFrom-MonitorFilter -FilterHashtable $FilterHashtable -Id $Id -Live)
        if ($queries.Count -ne 1) {
            throw (New-MonitorException -Code 'SYSMONTS_E_QUERY' -TargetObject $FilterHashtable `
                    -Message 'Watch-MonitorEvent takes one value per FilterHashtable field key; run one Watch-MonitorEvent per alternative.')
        }
        $params = [ordered]@{}
        foreach ($key in 'ids', 'where') { if ($queries[0].Contains($key)) { $params[$key] = $queries[0][$key] } }
        $channel = Open-MonitorChannel
        $subscription = (Invoke-MonitorRpc -Method 'events.subscribe' -Params $params -Channel $channel).subscription
        $received = 0L
        $deadline = if ($PSBoundParameters.ContainsKey('Timeout')) { [datetime]::UtcNow.AddSeconds($Timeout) } else { $null }
        while (-not $PSBoundParameters.ContainsKey('MaxEvents') -or $received -lt $MaxEvents) {
            $wait = 0
            if ($deadline) {
                $wait = [int][Math]::Ceiling(($deadline - [datetime]::UtcNow).TotalMilliseconds)
                if ($wait -le 0) { break }
            }
            try { $message = Read-MonitorMessage -Channel $channel -TimeoutMilliseconds $wait }
            catch {
                if ($deadline -and $_.Exception.Data['SysmonTsCode'] -eq 'SYSMONTS_E_RPC_PROTOCOL' -and [datetime]::UtcNow -ge $deadline) { break }
                throw
            }
            if ($message.method -ne 'events.event' -or $message.params.subscription -ne $subscription) { continue }
            $received++
            ConvertTo-MonitorEvent -Json $message.params.event
        }
    }
    catch {
        if (Test-PipelineStopped -ErrorRecord $_) { throw }
        $PSCmdlet.ThrowTerminatingError((ConvertTo-MonitorErrorRecord -ErrorRecord $_))
    }
    finally {
        # Runs on Ctrl+C too. Closing the channel ends the subscription in the monitor as well;
        # the explicit unsubscribe is the polite form and may fail if the monitor went away.
        if ($channel) {
            if ($subscription) {
                try { Send-MonitorMessage -Channel $channel -Message ([ordered]@{ jsonrpc = '2.0'; id = $channel.NextId; method = 'events.unsubscribe'; params = @{ subscription = $subscription } }) }
                catch { Write-Verbose "events.unsubscribe failed: $($_.Exception.Message)" }
            }
            Close-MonitorChannel -Channel $channel
        }
    }
}
