# Events, filters and errors converted by the module's own code, without a monitor: flat JSON
# events as the engine's JSON renderer writes them become typed objects; FilterHashtables
# become the engine's query shape; a missing control channel becomes one clear ErrorRecord.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'SysmonTs.psd1') -Force
}

AfterAll { Remove-Module SysmonTs -ErrorAction Ignore }

Describe 'ConvertTo-MonitorEvent' {
    BeforeAll {
        # The flat JSON shape of the control channel (EventID, EventRecordID, Version, Computer,
        # TimeCreated, then the fields in manifest order), for a network connection.
        $script:networkJson = '{"EventID":3,"EventRecordID":42,"EventVersion":5,"Computer":"host1","TimeCreated":"2026-11-21T15:04:05.1234567Z","RuleName":"-","UtcTime":"2026-11-21 15:04:05.120","ProcessGuid":"{6e6b8a3c-0001-0002-0003-000000000004}","ProcessId":4242,"Image":"/usr/bin/curl","User":"root","Protocol":"tcp","Initiated":true,"SourceIsIpv6":false,"SourceIp":"10.0.0.5","SourceHostname":"-","SourcePort":51234,"SourcePortName":"-","DestinationIsIpv6":false,"DestinationIp":"93.184.216.34","DestinationHostname":"-","DestinationPort":443,"DestinationPortName":"https"}'
    }

    It 'types the object per event and its values per field' {
        $event3 = InModuleScope SysmonTs -Parameters @{ Json = $script:networkJson } { ConvertTo-MonitorEvent -Json (ConvertFrom-Json $Json) }
        $event3.PSObject.TypeNames[0] | Should -Be 'SysmonTs.Event.NetworkConnect'
        $event3.PSObject.TypeNames | Should -Contain 'SysmonTs.Event'
        $event3.Id | Should -Be 3
        $event3.RecordId | Should -Be 42
        $event3.TimeCreated | Should -BeOfType [datetime]
        $event3.TimeCreated.Kind | Should -Be ([System.DateTimeKind]::Utc)
        $event3.TimeCreated.Ticks % [timespan]::TicksPerSecond | Should -Be 1234567
        $event3.UtcTime | Should -Be ([datetime]::new(2026, 11, 21, 15, 4, 5, 120, [System.DateTimeKind]::Utc))
        $event3.ProcessId | Should -BeOfType [uint32]
        $event3.DestinationPort | Should -BeOfType [int]
        $event3.DestinationPort | Should -Be 443
        $event3.Initiated | Should -BeOfType [bool]
        $event3.Initiated | Should -BeTrue
        $event3.ProcessGuid | Should -BeOfType [string]
        ($event3.PSObject.Properties | Where-Object MemberType -eq NoteProperty).Name | Select-Object -Skip 5 -First 3 | Should -Be @('RuleName', 'UtcTime', 'ProcessGuid')
    }

    It 'rebuilds the Sysmon message text and formats as a table' {
        $event3 = InModuleScope SysmonTs -Parameters @{ Json = $script:networkJson } { ConvertTo-MonitorEvent -Json (ConvertFrom-Json $Json) }
        $lines = $event3.Message -split "`r`n"
        $lines[0] | Should -Be 'Network connection detected:'
        $lines | Should -Contain 'UtcTime: 2026-11-21 15:04:05.120'
        $lines | Should -Contain 'Initiated: true'
        $lines | Should -Contain 'DestinationPort: 443'
        ($event3 | Format-Table | Out-String -Width 120) | Should -Match 'DestinationIp'
    }

    It 'turns numeric fields holding null into $null, not 0' {
        $json = $script:networkJson -replace '"SourcePort":51234', '"SourcePort":null'
        $event3 = InModuleScope SysmonTs -Parameters @{ Json = $json } { ConvertTo-MonitorEvent -Json (ConvertFrom-Json $Json) }
        $event3.SourcePort | Should -BeNullOrEmpty
    }
}

Describe 'ConvertFrom-MonitorFilter' {
    It 'ANDs keys, ORs array values and keeps Id, StartTime and EndTime apart' {
        $queries = InModuleScope SysmonTs {
            @(ConvertFrom-MonitorFilter -FilterHashtable @{ Id = 3, 1; DestinationPort = 22, 3389; image = '/usr/bin/ssh'; StartTime = [datetime]::new(2026, 1, 1, 0, 0, 0, [System.DateTimeKind]::Utc) })
        }
        $queries.Count | Should -Be 2
        foreach ($query in $queries) {
            $query['ids'] | Should -Be @(1, 3)
            $query['since'] | Should -Be 1767225600000
            @($query['where']).Count | Should -Be 2
            (@($query['where']) | Where-Object field -eq 'Image').value | Should -Be '/usr/bin/ssh'
        }
        @($queries | ForEach-Object { ($_['where'] | Where-Object field -eq 'DestinationPort').value }) | Sort-Object | Should -Be @('22', '3389')
    }

    It 'refuses a key that is no field of any event, naming it' {
        $thrown = InModuleScope SysmonTs { try { ConvertFrom-MonitorFilter -FilterHashtable @{ Imagee = 'x' } } catch { $_ } }
        $thrown.Exception.Data['SysmonTsCode'] | Should -Be 'SYSMONTS_E_QUERY'
        $thrown.Exception.Message | Should -Match "'Imagee'"
    }
}

Describe 'A monitor that is not running' {
    BeforeAll {
        $script:previous = $env:SYSMONTS_CONTROL_ENDPOINT
        $env:SYSMONTS_CONTROL_ENDPOINT = if ($IsWindows) { '\\.\pipe\SysmonTs-absent-' + [guid]::NewGuid() } else { Join-Path ([System.IO.Path]::GetTempPath()) "sysmonts-absent-$([guid]::NewGuid()).sock" }
    }
    AfterAll { $env:SYSMONTS_CONTROL_ENDPOINT = $script:previous }

    It 'gives one clear error record from <Command>' -ForEach @(
        @{ Command = 'Get-MonitorStatus'; Arguments = @{} }
        @{ Command = 'Get-MonitorEvent'; Arguments = @{ Id = 1 } }
        @{ Command = 'Get-MonitorConfig'; Arguments = @{} }
    ) {
        $record = try { & $Command @Arguments -ErrorAction Stop; $null } catch { $_ }
        $record | Should -Not -BeNullOrEmpty
        $record.FullyQualifiedErrorId | Should -BeLike "SYSMONTS_E_NOT_RUNNING,$Command"
        $record.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ConnectionError)
        $record.Exception.Message | Should -BeLike "The SysmonTs monitor is not running (no control channel at $($env:SYSMONTS_CONTROL_ENDPOINT))*"
        $record.Exception.Message | Should -Not -Match 'SocketException|No such file'
    }

    It 'changes nothing with -WhatIf and never connects' {
        $config = Join-Path $TestDrive 'config.xml'
        Set-Content -LiteralPath $config -Value '<Sysmon schemaversion="4.90"><EventFiltering /></Sysmon>'
        { Set-MonitorConfig -Path $config -WhatIf -ErrorAction Stop } | Should -Not -Throw
        { Get-Item $config | Set-MonitorConfig -WhatIf -ErrorAction Stop } | Should -Not -Throw
    }

    It 'names a missing configuration file' {
        $record = try { Set-MonitorConfig -Path (Join-Path $TestDrive 'missing.xml') -ErrorAction Stop } catch { $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'SYSMONTS_E_FILE,Set-MonitorConfig'
        $record.Exception.Message | Should -Match 'missing\.xml'
    }
}
