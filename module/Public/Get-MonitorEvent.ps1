function Get-MonitorEvent {
    <#
    .SYNOPSIS
    Gets events from the SysmonTs monitor's event store as typed objects.

    .DESCRIPTION
    Queries the running monitor's event store, newest first (or oldest first with -Oldest),
    and returns each event as an object typed for its event: SysmonTs.Event.ProcessCreate,
    SysmonTs.Event.NetworkConnect and so on, all also SysmonTs.Event. Each object has EventId
    (alias Id), EventRecordId (alias RecordId), Version, Computer and TimeCreated ([datetime],
    UTC), then every field of the event in manifest order with a typed value: UtcTime and the
    other ...UtcTime fields as UTC [datetime], process IDs as [uint32], ports as [int],
    booleans such as Initiated as [bool]; Message holds Sysmon's rendered text.

    Filtering happens in the monitor, like Get-WinEvent: -FilterHashtable takes the keys Id,
    StartTime and EndTime plus any event field name (Image, TargetFilename, DestinationPort ...).
    Different keys must all match; an array value matches any of its values. Field values are
    compared as Sysmon renders them, ignoring case. Results are fetched page by page until
    -MaxEvents events have been returned.

    .PARAMETER Id
    Only events with these event IDs.

    .PARAMETER StartTime
    Only events created at or after this time (a time without a kind is local time).

    .PARAMETER EndTime
    Only events created at or before this time.

    .PARAMETER MaxEvents
    Return at most this many events. Without it, every matching event is returned.

    .PARAMETER Oldest
    Return the oldest events first instead of the newest.

    .PARAMETER FilterHashtable
    A Get-WinEvent style filter: @{ Id = 1, 3; StartTime = (Get-Date).AddHours(-1); Image = '/usr/bin/curl' }.

    .PARAMETER ProcessGuid
    Only events of this process: events whose ProcessGuid, ParentProcessGuid, SourceProcessGuid
    or TargetProcessGuid is this GUID. Accepts pipeline input by property name, so the events of
    a process can be listed from one of its events.

    .EXAMPLE
    Get-MonitorEvent -Id 1 -MaxEvents 10

    Gets the ten newest Process Create events.

    .EXAMPLE
    Get-MonitorEvent -FilterHashtable @{ Id = 3; DestinationPort = 22, 3389; StartTime = (Get-Date).AddDays(-1) }

    Gets the network connections of the last day to port 22 or 3389.

    .EXAMPLE
    Get-MonitorEvent -Id 1 -MaxEvents 1 -FilterHashtable @{ Image = '/usr/bin/curl' } | Get-MonitorEvent -Oldest

    Gets everything the newest curl process did, oldest first.

    .EXAMPLE
    Get-MonitorEvent -Id 10 | Where-Object GrantedAccess -eq '0x1410' | Select-Object TimeCreated, SourceImage, TargetImage

    Filters further in PowerShell with the typed properties.

    .OUTPUTS
    SysmonTs.Event.<EventName> (also SysmonTs.Event)
    #>
    [CmdletBinding()]
    [OutputType('SysmonTs.Event')]
    param(
        [Parameter(Position = 0)]
        [ValidateRange(0, 65535)]
        [int[]] $Id,

        [datetime] $StartTime,

        [datetime] $EndTime,

        [ValidateRange(1, [long]::MaxValue)]
        [long] $MaxEvents,

        [switch] $Oldest,

        [hashtable] $FilterHashtable = @{},

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidatePattern('^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$')]
        [string] $ProcessGuid
    )
    process {
        try {
            $filter = @{ FilterHashtable = $FilterHashtable; Id = $Id; ProcessGuid = $ProcessGuid }
            if ($PSBoundParameters.ContainsKey('StartTime')) { $filter['StartTime'] = $StartTime }
            if ($PSBoundParameters.ContainsKey('EndTime')) { $filter['EndTime'] = $EndTime }
            $queries = @(ConvertFrom-MonitorFilter @filter)
            $order = if ($Oldest) { 'oldest' } else { 'newest' }
            $limit = if ($PSBoundParameters.ContainsKey('MaxEvents')) { $MaxEvents } else { 0 }
            Invoke-MonitorQuery -Query $queries -Order $order -MaxEvents $limit | ConvertTo-MonitorEvent
        }
        catch {
            if (Test-PipelineStopped -ErrorRecord $_) { throw }
            $PSCmdlet.ThrowTerminatingError((ConvertTo-MonitorErrorRecord -ErrorRecord $_))
        }
    }
}
