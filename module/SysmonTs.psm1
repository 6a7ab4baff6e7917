# SysmonTs PowerShell module: administers the SysmonTs monitor and queries its events as
# objects, over the engine's JSON-RPC control channel (a Unix socket on Linux, a named pipe on
# Windows). One file per public command under Public/, helpers under Private/.
# Strict mode 1 catches misspelt variables; later versions would also fail on optional JSON
# properties the engine leaves out, which the helpers treat as absent on purpose.
Set-StrictMode -Version 1.0

$script:ModuleRoot = $PSScriptRoot
# Generated from the engine's event catalogue: each event's type name and field types, and the
# ErrorCategory of each SYSMONTS_E_* code. -SkipLimitCheck because it holds more than the
# 5000 syntax nodes a data file may have by default.
$script:Catalogue = Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot 'SysmonTs.Catalogue.psd1') -SkipLimitCheck

foreach ($folder in 'Private', 'Public') {
    foreach ($file in Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot $folder) -Filter '*.ps1' | Sort-Object Name) {
        . $file.FullName
    }
}

Export-ModuleMember -Function (Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'Public') -Filter '*.ps1').BaseName
