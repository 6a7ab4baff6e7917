# The module's public contract as PowerShell itself sees it: exported commands, their exact
# parameters, -WhatIf/-Confirm support, help, and the type and format data loaded for events.
BeforeAll {
    $modulePath = Join-Path $PSScriptRoot '..' 'SysmonTs.psd1'
    Import-Module $modulePath -Force
    function Get-ParameterContract([string] $Command) {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($parameter in (Get-Command $Command).Parameters.Values) {
            if ($parameter.Name -in $common) { continue }
            $attribute = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Select-Object -First 1
            [pscustomobject]@{
                Name           = $parameter.Name
                Type           = $parameter.ParameterType.Name
                Mandatory      = $attribute.Mandatory
                Position       = $attribute.Position
                ByValue        = $attribute.ValueFromPipeline
                ByPropertyName = $attribute.ValueFromPipelineByPropertyName
                Aliases        = ($parameter.Aliases | Sort-Object) -join ','
            }
        }
    }
}

AfterAll { Remove-Module SysmonTs -ErrorAction Ignore }

Describe 'SysmonTs module' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path (Join-Path $PSScriptRoot '..' 'SysmonTs.psd1') -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the nine commands' {
        (Get-Command -Module SysmonTs).Name | Sort-Object | Should -Be @(
            'Get-MonitorConfig', 'Get-MonitorEvent', 'Get-MonitorSchema', 'Get-MonitorStatus', 'Install-Monitor',
            'Set-MonitorConfig', 'Test-MonitorConfig', 'Uninstall-Monitor', 'Watch-MonitorEvent')
    }

    It 'uses approved verbs only' {
        $approved = (Get-Verb).Verb
        foreach ($command in Get-Command -Module SysmonTs) { $command.Verb | Should -BeIn $approved }
    }

    It 'loads one type and one table view per event' {
        foreach ($name in 'SysmonTs.Event.ProcessCreate', 'SysmonTs.Event.NetworkConnect', 'SysmonTs.Event.ServiceStateChange', 'SysmonTs.Event.ConfigurationChange', 'SysmonTs.Event.Error') {
            Get-TypeData -TypeName $name | Should -Not -BeNullOrEmpty
            (Get-FormatData -TypeName $name).FormatViewDefinition[0].Control | Should -BeOfType [System.Management.Automation.TableControl]
        }
        (Get-TypeData -TypeName 'SysmonTs.Event').Members.Keys | Should -Contain 'Message'
    }
}

Describe 'Parameters of <Command>' -ForEach @(
    @{ Command = 'Install-Monitor'; Expected = @(
            @{ Name = 'Config'; Type = 'String'; Mandatory = $true; Position = 0; ByValue = $false; ByPropertyName = $true; Aliases = 'FullName,Path' }
            @{ Name = 'AcceptEula'; Type = 'SwitchParameter'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'PassThru'; Type = 'SwitchParameter'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        ); ShouldProcess = $true
    }
    @{ Command = 'Uninstall-Monitor'; Expected = @(
            @{ Name = 'Force'; Type = 'SwitchParameter'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        ); ShouldProcess = $true
    }
    @{ Command = 'Set-MonitorConfig'; Expected = @(
            @{ Name = 'Path'; Type = 'String'; Mandatory = $true; Position = 0; ByValue = $false; ByPropertyName = $true; Aliases = 'FullName' }
            @{ Name = 'PassThru'; Type = 'SwitchParameter'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        ); ShouldProcess = $true
    }
    @{ Command = 'Get-MonitorConfig'; Expected = @(
            @{ Name = 'Raw'; Type = 'SwitchParameter'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        ); ShouldProcess = $false
    }
    @{ Command = 'Test-MonitorConfig'; Expected = @(
            @{ Name = 'Path'; Type = 'String'; Mandatory = $true; Position = 0; ByValue = $false; ByPropertyName = $true; Aliases = 'FullName' }
            @{ Name = 'Event'; Type = 'Object[]'; Mandatory = $false; Position = 1; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'Quiet'; Type = 'SwitchParameter'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        ); ShouldProcess = $false
    }
    @{ Command = 'Get-MonitorEvent'; Expected = @(
            @{ Name = 'Id'; Type = 'Int32[]'; Mandatory = $false; Position = 0; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'StartTime'; Type = 'DateTime'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'EndTime'; Type = 'DateTime'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'MaxEvents'; Type = 'Int64'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'Oldest'; Type = 'SwitchParameter'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'FilterHashtable'; Type = 'Hashtable'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'ProcessGuid'; Type = 'String'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $true; Aliases = '' }
        ); ShouldProcess = $false
    }
    @{ Command = 'Watch-MonitorEvent'; Expected = @(
            @{ Name = 'Id'; Type = 'Int32[]'; Mandatory = $false; Position = 0; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'FilterHashtable'; Type = 'Hashtable'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'MaxEvents'; Type = 'Int64'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
            @{ Name = 'Timeout'; Type = 'Int32'; Mandatory = $false; Position = [int]::MinValue; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        ); ShouldProcess = $false
    }
    @{ Command = 'Get-MonitorStatus'; Expected = @(); ShouldProcess = $false }
    @{ Command = 'Get-MonitorSchema'; Expected = @(
            @{ Name = 'Id'; Type = 'Int32[]'; Mandatory = $false; Position = 0; ByValue = $true; ByPropertyName = $true; Aliases = 'EventId' }
        ); ShouldProcess = $false
    }
) {
    It 'has exactly its documented parameters' {
        $actual = @(Get-ParameterContract -Command $Command | Where-Object Name -NotIn 'WhatIf', 'Confirm')
        $actual.Count | Should -Be $Expected.Count
        for ($i = 0; $i -lt $Expected.Count; $i++) {
            foreach ($key in $Expected[$i].Keys) { $actual[$i].$key | Should -Be $Expected[$i][$key] -Because "$Command -$($Expected[$i].Name) $key" }
        }
    }

    It 'supports -WhatIf and -Confirm exactly when it changes state' {
        $parameters = (Get-Command $Command).Parameters.Keys
        ($parameters -contains 'WhatIf') | Should -Be $ShouldProcess
        ($parameters -contains 'Confirm') | Should -Be $ShouldProcess
    }

    It 'has help with a synopsis, a description, every parameter and an example' {
        $help = Get-Help $Command -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        ($help.Description.Text -join ' ') | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
        foreach ($expected in $Expected) {
            $parameterHelp = $help.Parameters.Parameter | Where-Object Name -eq $expected.Name
            ($parameterHelp.Description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$($expected.Name) needs help"
        }
    }
}
