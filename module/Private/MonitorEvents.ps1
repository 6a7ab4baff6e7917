# Events as typed objects, and Get-WinEvent-style filters as engine queries. Field types come
# from SysmonTs.Catalogue.psd1, generated from the engine's event catalogue.

$script:InvariantCulture = [System.Globalization.CultureInfo]::InvariantCulture
$script:UtcStyles = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal

function ConvertTo-UtcDateTime {
    # ConvertFrom-Json may already have turned ISO-8601 text into a [datetime] (of any Kind);
    # Sysmon's own "yyyy-MM-dd HH:mm:ss.fff" text (spec/cli-and-output.md §7) is UTC.
    [CmdletBinding()]
    [OutputType([datetime])]
    param([Parameter(Mandatory)] [AllowNull()] [object] $Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [datetime]) {
        if ($Value.Kind -eq [System.DateTimeKind]::Local) { return $Value.ToUniversalTime() }
        return [datetime]::SpecifyKind($Value, [System.DateTimeKind]::Utc)
    }
    if ($Value -is [System.DateTimeOffset]) { return $Value.UtcDateTime }
    $text = [string]$Value
    if ($text -eq '-' -or $text -eq '') { return $null }
    $parsed = [datetime]::MinValue
    if ([datetime]::TryParseExact($text, 'yyyy-MM-dd HH:mm:ss.fff', $script:InvariantCulture, $script:UtcStyles, [ref]$parsed)) { return $parsed }
    if ([datetime]::TryParse($text, $script:InvariantCulture, $script:UtcStyles, [ref]$parsed)) { return $parsed }
    $null
}

function ConvertTo-FieldValue {
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory)] [AllowNull()] [object] $Value,
        [Parameter(Mandatory)] [string] $Kind
    )
    # Numeric fields holding "-" arrive as null (the flat JSON shape); keep null rather than 0.
    if ($null -eq $Value) { return $null }
    $isDash = $Value -is [string] -and $Value -eq '-'
    switch ($Kind) {
        'string' { return [string]$Value }
        'datetime' {
            $time = ConvertTo-UtcDateTime -Value $Value
            # Text that is not a time (a future format) is kept rather than lost.
            if ($null -eq $time -and -not $isDash) { return [string]$Value }
            return $time
        }
        'bool' {
            if ($Value -is [bool]) { return $Value }
            if ($isDash) { return $null }
            return [string]$Value -eq 'true'
        }
        default {
            if ($isDash) { return $null }
            try {
                switch ($Kind) {
                    'uint32' { return [uint32]$Value }
                    'int' { return [int]$Value }
                    'uint64' { return [uint64]$Value }
                }
            }
            catch { return [string]$Value }
            return $Value
        }
    }
}

function ConvertTo-MonitorEvent {
    # One flat JSON event (EventID, EventRecordID, EventVersion, Computer, TimeCreated, then every
    # field in manifest order) as an object typed SysmonTs.Event.<Name>, SysmonTs.Event.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory, ValueFromPipeline)] [object] $Json)
    process {
        $id = [int]$Json.EventID
        $definition = $script:Catalogue.Events[$id]
        $properties = [ordered]@{
            EventId       = $id
            EventRecordId = [long]$Json.EventRecordID
            Version       = if ($null -ne $Json.EventVersion) { [int]$Json.EventVersion } else { $null }
            Computer      = [string]$Json.Computer
            TimeCreated   = ConvertTo-UtcDateTime -Value $Json.TimeCreated
        }
        $header = 'EventID', 'EventRecordID', 'EventVersion', 'Computer', 'TimeCreated'
        if ($definition) {
            foreach ($field in $definition.Fields) {
                $properties[$field.Name] = ConvertTo-FieldValue -Value $Json.($field.Name) -Kind $field.Kind
            }
        }
        else {
            foreach ($property in $Json.PSObject.Properties) {
                if ($property.Name -notin $header) { $properties[$property.Name] = $property.Value }
            }
        }
        $monitorEvent = [pscustomobject]$properties
        $monitorEvent.PSObject.TypeNames.Insert(0, 'SysmonTs.Event')
        if ($definition) {
            $monitorEvent.PSObject.TypeNames.Insert(0, $definition.TypeName)
        }
        else {
            # An event this module's catalogue does not know (a newer engine): still readable.
            $names = @($Json.PSObject.Properties.Name | Where-Object { $_ -notin $header })
            $monitorEvent.PSObject.Properties.Add([psnoteproperty]::new('EventName', "Event $id"))
            $monitorEvent.PSObject.Properties.Add([psnoteproperty]::new('FieldNames', ($names -join ',')))
        }
        $monitorEvent
    }
}

function ConvertTo-SysmonText {
    # A value as Sysmon renders and matches it: booleans lowercase, times "yyyy-MM-dd HH:mm:ss.fff" UTC.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [AllowNull()] [object] $Value)
    if ($null -eq $Value) { return '-' }
    if ($Value -is [bool]) { return $Value.ToString().ToLowerInvariant() }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('yyyy-MM-dd HH:mm:ss.fff', $script:InvariantCulture) }
    if ($Value -is [System.IFormattable]) { return $Value.ToString($null, $script:InvariantCulture) }
    [string]$Value
}

function ConvertTo-EpochMilliseconds {
    # Unspecified-kind times are local, as Get-WinEvent reads -StartTime/-EndTime.
    [CmdletBinding()]
    [OutputType([long])]
    param([Parameter(Mandatory)] [datetime] $Time)
    [System.DateTimeOffset]::new($Time.ToUniversalTime()).ToUnixTimeMilliseconds()
}

function Get-MonitorFieldName {
    # The manifest spelling of a field name, or $null when no event has such a field.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $Name)
    foreach ($definition in $script:Catalogue.Events.Values) {
        foreach ($field in $definition.Fields) { if ($field.Name -eq $Name) { return $field.Name } }
    }
    $null
}

function ConvertFrom-MonitorFilter {
    # Get-WinEvent FilterHashtable semantics: keys are ANDed; an array value means any of its
    # values (OR). The engine's where-list is an AND of conditions, so a key with several values
    # becomes several alternative queries, one per combination, merged by record ID.
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [hashtable] $FilterHashtable = @{},
        [int[]] $Id,
        [Nullable[datetime]] $StartTime,
        [Nullable[datetime]] $EndTime,
        [string] $ProcessGuid,
        [switch] $Live
    )
    $ids = [System.Collections.Generic.List[int]]::new()
    foreach ($value in @($Id)) { if ($null -ne $value) { $ids.Add($value) } }
    $start = $StartTime
    $end = $EndTime
    $alternatives = [System.Collections.Generic.List[object]]::new()
    foreach ($key in $FilterHashtable.Keys) {
        $values = @($FilterHashtable[$key])
        $name = [string]$key
        if ($name -eq 'Id') {
            foreach ($value in $values) { $ids.Add([int]$value) }
        }
        elseif ($name -eq 'StartTime' -or $name -eq 'EndTime') {
            if ($Live) {
                throw (New-MonitorException -Code 'SYSMONTS_E_QUERY' -TargetObject $FilterHashtable `
                        -Message "FilterHashtable key '$name' selects stored events; Watch-MonitorEvent shows new events only.")
            }
            if ($values.Count -ne 1 -or $values[0] -isnot [datetime]) {
                throw (New-MonitorException -Code 'SYSMONTS_E_QUERY' -TargetObject $FilterHashtable `
                        -Message "FilterHashtable key '$name' needs one [datetime] value.")
            }
            if ($name -eq 'StartTime') { $start = $values[0] } else { $end = $values[0] }
        }
        else {
            $field = Get-MonitorFieldName -Name $name
            if (-not $field) {
                throw (New-MonitorException -Code 'SYSMONTS_E_QUERY' -TargetObject $FilterHashtable `
                        -Message "FilterHashtable key '$name' is neither Id, StartTime, EndTime nor the name of an event field (see Get-MonitorSchema).")
            }
            if ($values.Count -eq 0) {
                throw (New-MonitorException -Code 'SYSMONTS_E_QUERY' -TargetObject $FilterHashtable `
                        -Message "FilterHashtable key '$name' has no value.")
            }
            $alternatives.Add(@(foreach ($value in $values) { @{ field = $field; op = 'eq'; value = (ConvertTo-SysmonText -Value $value) } }))
        }
    }
    foreach ($value in $ids) {
        if (-not $script:Catalogue.Events.ContainsKey($value)) {
            throw (New-MonitorException -Code 'SYSMONTS_E_EVENT_UNKNOWN' -TargetObject $value `
                    -Message "Event ID $value is not a SysmonTs event (see Get-MonitorSchema).")
        }
    }
    # Every combination of one value per key: the cross product of the alternatives.
    $combinations = @(, @())
    foreach ($choices in $alternatives) {
        $next = [System.Collections.Generic.List[object]]::new()
        foreach ($combination in $combinations) { foreach ($choice in $choices) { $next.Add(@($combination + $choice)) } }
        $combinations = $next.ToArray()
        if ($combinations.Count -gt 64) {
            throw (New-MonitorException -Code 'SYSMONTS_E_QUERY' -TargetObject $FilterHashtable `
                    -Message 'FilterHashtable asks for more than 64 combinations of values; narrow it down.')
        }
    }
    $base = [ordered]@{}
    if ($ids.Count -gt 0) { $base['ids'] = @($ids | Sort-Object -Unique) }
    if ($null -ne $start) { $base['since'] = ConvertTo-EpochMilliseconds -Time $start }
    if ($null -ne $end) { $base['until'] = ConvertTo-EpochMilliseconds -Time $end }
    if ($ProcessGuid) { $base['processGuid'] = $ProcessGuid }
    foreach ($combination in $combinations) {
        $query = [ordered]@{}
        foreach ($key in $base.Keys) { $query[$key] = $base[$key] }
        if ($combination.Count -gt 0) { $query['where'] = @($combination) }
        $query
    }
}

function Invoke-MonitorQuery {
    # Pages through events.query for each alternative query with its cursor and merges the
    # pages by record ID in the requested order, stopping after MaxEvents (0: all). Emits the
    # flat JSON events; the caller types them.
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory)] [System.Collections.IDictionary[]] $Query,
        [ValidateSet('newest', 'oldest')] [string] $Order = 'newest',
        [long] $MaxEvents = 0,
        [ValidateRange(1, 10000)] [int] $PageSize = 500
    )
    $channel = Open-MonitorChannel
    try {
        $streams = @(foreach ($item in $Query) {
                [pscustomobject]@{ Query = $item; Buffer = [System.Collections.Generic.Queue[object]]::new(); Cursor = $null; Done = $false }
            })
        $emitted = 0L
        $lastRecordId = $null
        while ($MaxEvents -le 0 -or $emitted -lt $MaxEvents) {
            $best = $null
            $bestRecordId = 0L
            foreach ($stream in $streams) {
                if ($stream.Buffer.Count -eq 0 -and -not $stream.Done) {
                    $params = [ordered]@{}
                    foreach ($key in $stream.Query.Keys) { $params[$key] = $stream.Query[$key] }
                    $params['order'] = $Order
                    # Variables ignore case in PowerShell: this must not be called $pageSize.
                    $thisPage = $PageSize
                    if ($MaxEvents -gt 0 -and $streams.Count -eq 1) { $thisPage = [int][Math]::Min($PageSize, $MaxEvents - $emitted) }
                    $params['max'] = $thisPage
                    if ($null -ne $stream.Cursor) { $params['cursor'] = $stream.Cursor }
                    $page = Invoke-MonitorRpc -Method 'events.query' -Params $params -Channel $channel -TargetObject $stream.Query
                    $events = @($page.events)
                    foreach ($item in $events) { $stream.Buffer.Enqueue($item) }
                    $stream.Cursor = $page.cursor
                    if ($null -eq $page.cursor -or $events.Count -eq 0) { $stream.Done = $true }
                }
                if ($stream.Buffer.Count -gt 0) {
                    $recordId = [long]$stream.Buffer.Peek().EventRecordID
                    $better = if ($Order -eq 'newest') { $recordId -gt $bestRecordId } else { $recordId -lt $bestRecordId }
                    if ($null -eq $best -or $better) { $best = $stream; $bestRecordId = $recordId }
                }
            }
            if ($null -eq $best) { break }
            $next = $best.Buffer.Dequeue()
            # Alternatives are disjoint by construction; the check only guards a repeated value.
            if ($bestRecordId -eq $lastRecordId) { continue }
            $lastRecordId = $bestRecordId
            $emitted++
            $next
        }
    }
    finally {
        Close-MonitorChannel -Channel $channel
    }
}

function ConvertTo-RuleTestEvent {
    # An event to decide, as config.test takes it: {EventID, EventData: {Field: text}}. Accepts
    # SysmonTs.Event objects, hashtables and other objects with EventId (or Id) and fields.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [object] $InputObject)
    $pairs = [ordered]@{}
    if ($InputObject -is [System.Collections.IDictionary]) {
        foreach ($key in $InputObject.Keys) { $pairs[[string]$key] = $InputObject[$key] }
    }
    else {
        foreach ($property in $InputObject.PSObject.Properties) {
            if ($property.MemberType -in 'NoteProperty', 'Property') { $pairs[$property.Name] = $property.Value }
        }
    }
    $idValue = if ($pairs.Contains('EventId')) { $pairs['EventId'] } elseif ($pairs.Contains('Id')) { $pairs['Id'] } else { $null }
    $eventId = 0
    if ($null -eq $idValue -or -not [int]::TryParse([string]$idValue, [ref]$eventId)) {
        throw (New-MonitorException -Code 'SYSMONTS_E_USAGE' -TargetObject $InputObject `
                -Message 'An -Event object needs an EventId (or Id) property with the event ID.')
    }
    $skip = 'EventId', 'Id', 'EventRecordId', 'RecordId', 'Version', 'Computer', 'TimeCreated', 'EventName', 'FieldNames', 'RuleElement', 'LevelDisplayName', 'Message'
    $data = [ordered]@{}
    foreach ($key in $pairs.Keys) {
        if ($key -in $skip) { continue }
        $data[$key] = ConvertTo-SysmonText -Value $pairs[$key]
    }
    [pscustomobject]@{
        EventId     = $eventId
        InputObject = $InputObject
        Request     = [ordered]@{ EventID = $eventId; EventData = $data }
    }
}
