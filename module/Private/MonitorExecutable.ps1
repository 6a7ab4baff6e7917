# Install and uninstall run the sysmonts executable itself, with Sysmon's switches
# (spec/cli-and-output.md §2-3), because installing creates the service that the control
# channel would belong to.

function Find-MonitorExecutable {
    # $env:SYSMONTS_PATH first, then next to the module (the installed layout), then PATH.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $name = if ($IsWindows) { 'SysmonTs.exe' } else { 'sysmonts' }
    if ($env:SYSMONTS_PATH) {
        if (Test-Path -LiteralPath $env:SYSMONTS_PATH -PathType Leaf) { return (Resolve-Path -LiteralPath $env:SYSMONTS_PATH).ProviderPath }
        throw (New-MonitorException -Code 'SYSMONTS_E_FILE' -TargetObject $env:SYSMONTS_PATH `
                -Message "SYSMONTS_PATH names '$($env:SYSMONTS_PATH)', which is not a file.")
    }
    foreach ($directory in @($script:ModuleRoot, (Split-Path -Parent $script:ModuleRoot))) {
        $candidate = Join-Path $directory $name
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return $candidate }
    }
    $command = Get-Command -Name $name -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($command) { return $command.Source }
    throw (New-MonitorException -Code 'SYSMONTS_E_NOT_INSTALLED' -TargetObject $name `
            -Message "The $name executable was not found: set `$env:SYSMONTS_PATH to it, put it next to the SysmonTs module, or add its folder to PATH." `
            -RecommendedAction "Set `$env:SYSMONTS_PATH to the full path of $name.")
}

function Invoke-MonitorExecutable {
    # Runs sysmonts with an argument list (no shell quoting) and turns a failure into an
    # exception with the code the CLI printed ("sysmonts: <message> [SYSMONTS_E_...]") and the
    # position of the first "file:line:col: message" line.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [object] $TargetObject
    )
    $path = Find-MonitorExecutable
    $start = [System.Diagnostics.ProcessStartInfo]::new($path)
    foreach ($argument in $ArgumentList) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.RedirectStandardInput = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::new()
    $process.StartInfo = $start
    try {
        try { [void]$process.Start() }
        catch {
            throw (New-MonitorException -Code 'SYSMONTS_E_FILE' -TargetObject $path -InnerException $_.Exception `
                    -Message "Cannot run $($path): $((Get-InnermostException -Exception $_.Exception).Message)")
        }
        # No prompt can be answered: stdin is closed at once. Both pipes are read concurrently.
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        while (-not $process.WaitForExit(200)) { }
        $process.WaitForExit()
        $result = [pscustomobject]@{ ExitCode = $process.ExitCode; StandardOutput = $stdout.Result; StandardError = $stderr.Result; Path = $path }
    }
    finally {
        $process.Dispose()
    }
    if ($result.ExitCode -eq 0) { return $result }
    $text = ($result.StandardError, $result.StandardOutput | Where-Object { $_ }) -join "`n"
    $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
    $code = $null
    foreach ($line in $lines) { if ($line -match '\[(SYSMONTS_E_[A-Z_]+)\]\s*$') { $code = $Matches[1] } }
    if (-not $code) {
        # Sysmon's own exit statuses (spec/cli-and-output.md §11): 740 not root, 87 bad usage.
        $code = switch ($result.ExitCode) { 740 { 'SYSMONTS_E_PRIVILEGE' } 4 { 'SYSMONTS_E_PRIVILEGE' } 87 { 'SYSMONTS_E_USAGE' } default { 'SYSMONTS_E_INTERNAL' } }
    }
    $details = @{ ExitCode = $result.ExitCode; StandardError = $result.StandardError; StandardOutput = $result.StandardOutput }
    $positioned = $lines | Where-Object { $_ -match '^(?:sysmonts: )?(.+?):(\d+):(\d+): (.+)$' } | Select-Object -First 1
    if ($positioned -and $positioned -match '^(?:sysmonts: )?(.+?):(\d+):(\d+): (.+)$') {
        $details['File'] = $Matches[1]; $details['Line'] = [int]$Matches[2]; $details['Column'] = [int]$Matches[3]
    }
    $summary = if ($lines.Count -gt 0) { ($lines | Select-Object -Last 10) -join [Environment]::NewLine } else { "exit status $($result.ExitCode)" }
    throw (New-MonitorException -Code $code -TargetObject $TargetObject -Details $details `
            -Message "$([System.IO.Path]::GetFileName($path)) $($ArgumentList -join ' ') failed: $summary")
}

function Resolve-MonitorFilePath {
    # A PowerShell path (relative to the current location, any provider-qualified form) as the
    # file-system path another process can open; missing files are reported with their name.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [System.Management.Automation.PSCmdlet] $Cmdlet)
    $resolved = $Cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
    if (-not (Test-Path -LiteralPath $resolved -PathType Leaf)) {
        throw (New-MonitorException -Code 'SYSMONTS_E_FILE' -TargetObject $Path -Message "Cannot find the configuration file '$Path'.")
    }
    $resolved
}

function Read-MonitorConfigText {
    # The config as text; ReadAllText honours a UTF-8/UTF-16/UTF-32 byte order mark, which is how
    # the Sysmon configs in the wild are encoded (spec/config.md §1).
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $LiteralPath)
    try { [System.IO.File]::ReadAllText($LiteralPath) }
    catch {
        throw (New-MonitorException -Code 'SYSMONTS_E_FILE' -TargetObject $LiteralPath -InnerException $_.Exception `
                -Message "Cannot read '$LiteralPath': $((Get-InnermostException -Exception $_.Exception).Message)")
    }
}
