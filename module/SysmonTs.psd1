@{
    RootModule           = 'SysmonTs.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f8f0e-7a4c-4c1e-9d52-0c3a8e6f2b71'
    Author               = 'SysmonTs maintainers'
    CompanyName          = 'SysmonTs'
    Copyright            = '(c) SysmonTs maintainers. MIT License.'
    Description          = 'Administer the SysmonTs host monitor (a Sysmon-compatible monitor for Linux and Windows) and query its events as typed objects.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    TypesToProcess       = @('SysmonTs.Types.ps1xml')
    FormatsToProcess     = @('SysmonTs.Format.ps1xml')
    FunctionsToExport    = @(
        'Get-MonitorConfig'
        'Get-MonitorEvent'
        'Get-MonitorSchema'
        'Get-MonitorStatus'
        'Install-Monitor'
        'Set-MonitorConfig'
        'Test-MonitorConfig'
        'Uninstall-Monitor'
        'Watch-MonitorEvent'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    FileList             = @(
        'SysmonTs.psd1'
        'SysmonTs.psm1'
        'SysmonTs.Catalogue.psd1'
        'SysmonTs.Types.ps1xml'
        'SysmonTs.Format.ps1xml'
        'en-US/about_SysmonTs.help.txt'
    )
    PrivateData          = @{
        PSData = @{
            Tags       = @('Sysmon', 'Security', 'Monitoring', 'EDR', 'Linux', 'Windows', 'eBPF', 'ETW')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
