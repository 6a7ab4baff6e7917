function ConvertTo-OptionalUtcTime {
    # The store reports times as milliseconds since the epoch, or null when it is empty.
    [CmdletBinding()]
    [OutputType([datetime])]
    param([AllowNull()] [object] $Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [string]) { return ConvertTo-UtcDateTime -Value $Value }
    [System.DateTimeOffset]::FromUnixTimeMilliseconds([long]$Value).UtcDateTime
}

function ConvertTo-MonitorStatus {
    # The "status" result as one typed object (SysmonTs.Status, see the format file).
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [object] $Status)
    $counters = @(foreach ($property in @($Status.events.PSObject.Properties)) {
            if ($null -eq $property) { continue }
            [pscustomobject]@{
                PSTypeName = 'SysmonTs.EventCounter'
                Id         = [int]$property.Name
                Seen       = [long]$property.Value.seen
                Kept       = [long]$property.Value.kept
                Dropped    = [long]$property.Value.dropped
            }
        })
    $sinks = @(foreach ($sink in @($Status.sinks)) {
            if ($null -eq $sink) { continue }
            [pscustomobject]@{
                PSTypeName = 'SysmonTs.SinkStatus'
                Name       = [string]$sink.name
                State      = [string]$sink.state
                Sent       = [long]$sink.sent
                Dropped    = [long]$sink.dropped
            }
        })
    [pscustomobject]@{
        PSTypeName      = 'SysmonTs.Status'
        Version         = [string]$Status.version
        ProcessId       = [int]$Status.pid
        Uptime          = [timespan]::FromSeconds([double]$Status.uptimeSeconds)
        Platform        = [string]$Status.platform
        ConfigFile      = [string]$Status.config.file
        ConfigHash      = [string]$Status.config.hash
        SchemaVersion   = [string]$Status.config.schemaVersion
        SensorState     = [string]$Status.sensor.state
        EventsProduced  = [long]$Status.sensor.produced
        EventsLost      = [long]$Status.sensor.lostRingBuffer
        EventsMalformed = [long]$Status.sensor.malformed
        StorePath       = [string]$Status.store.path
        StoreState      = [string]$Status.store.state
        StoreSizeBytes  = [long]$Status.store.sizeBytes
        StoreEventCount = [long]$Status.store.eventCount
        OldestRecordId  = $Status.store.oldestRecordId
        NewestRecordId  = $Status.store.newestRecordId
        OldestTime      = ConvertTo-OptionalUtcTime -Value $Status.store.oldestTime
        NewestTime      = ConvertTo-OptionalUtcTime -Value $Status.store.newestTime
        Events          = $counters
        Sinks           = $sinks
    }
}

function Wait-MonitorStatus {
    # After an install the service needs a moment to open its control channel.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([int] $TimeoutSeconds = 30)
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        try { return ConvertTo-MonitorStatus -Status (Invoke-MonitorRpc -Method 'status') }
        catch {
            if ($_.Exception.Data['SysmonTsCode'] -ne 'SYSMONTS_E_NOT_RUNNING' -or [datetime]::UtcNow -ge $deadline) { throw }
            Start-Sleep -Milliseconds 250
        }
    }
}
