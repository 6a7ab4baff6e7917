# The JSON-RPC 2.0 client of the engine's control channel: one UTF-8 JSON message per line over
# the Unix socket /run/sysmonts/control.sock (Linux) or the named pipe \\.\pipe\SysmonTs
# (Windows). $env:SYSMONTS_CONTROL_ENDPOINT names another socket path or pipe, for a monitor
# started with a non-default endpoint.

function Get-MonitorEndpoint {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    if ($env:SYSMONTS_CONTROL_ENDPOINT) { return $env:SYSMONTS_CONTROL_ENDPOINT }
    if ($IsWindows) { return '\\.\pipe\SysmonTs' }
    '/run/sysmonts/control.sock'
}

function Get-InnermostException {
    [CmdletBinding()]
    [OutputType([System.Exception])]
    param([Parameter(Mandatory)] [System.Exception] $Exception)
    while ($Exception -is [System.Management.Automation.MethodInvocationException] -and $Exception.InnerException) {
        $Exception = $Exception.InnerException
    }
    $Exception
}

function New-NotRunningException {
    [CmdletBinding()]
    [OutputType([System.Exception])]
    param([Parameter(Mandatory)] [string] $Endpoint, [System.Exception] $InnerException)
    $action = if ($IsWindows) { 'Install it with Install-Monitor, or start the SysmonTs service.' }
    else { "Install it with Install-Monitor, or start it with 'systemctl start sysmonts'." }
    New-MonitorException -Code 'SYSMONTS_E_NOT_RUNNING' -TargetObject $Endpoint -RecommendedAction $action `
        -Message "The SysmonTs monitor is not running (no control channel at $Endpoint). $action" -InnerException $InnerException
}

function New-AccessDeniedException {
    [CmdletBinding()]
    [OutputType([System.Exception])]
    param([Parameter(Mandatory)] [string] $Endpoint, [System.Exception] $InnerException)
    $who = if ($IsWindows) { 'an elevated PowerShell (Run as Administrator)' } else { "root (for example 'sudo pwsh')" }
    New-MonitorException -Code 'SYSMONTS_E_PRIVILEGE' -TargetObject $Endpoint -InnerException $InnerException `
        -Message "Access to the SysmonTs control channel at $Endpoint was denied; it accepts only $who." `
        -RecommendedAction "Run the command again from $who."
}

function Open-MonitorChannel {
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([int] $ConnectTimeoutMilliseconds = 3000)
    $endpoint = Get-MonitorEndpoint
    $socket = $null
    $stream = $null
    try {
        if ($IsWindows) {
            $pipeName = $endpoint -replace '^\\\\\.\\pipe\\', ''
            $stream = [System.IO.Pipes.NamedPipeClientStream]::new('.', $pipeName, [System.IO.Pipes.PipeDirection]::InOut, [System.IO.Pipes.PipeOptions]::Asynchronous)
            $stream.Connect($ConnectTimeoutMilliseconds)
        }
        else {
            $socket = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
            $socket.Connect([System.Net.Sockets.UnixDomainSocketEndPoint]::new($endpoint))
            $stream = [System.Net.Sockets.NetworkStream]::new($socket, $true)
        }
    }
    catch {
        if ($stream) { $stream.Dispose() } elseif ($socket) { $socket.Dispose() }
        $inner = Get-InnermostException -Exception $_.Exception
        # ENOENT and ECONNREFUSED (a socket file left by a killed engine) both mean "not running";
        # on Windows a pipe that never appears times out.
        if ($inner -is [System.UnauthorizedAccessException] -or
            ($inner -is [System.Net.Sockets.SocketException] -and $inner.SocketErrorCode -eq [System.Net.Sockets.SocketError]::AccessDenied)) {
            throw (New-AccessDeniedException -Endpoint $endpoint -InnerException $inner)
        }
        throw (New-NotRunningException -Endpoint $endpoint -InnerException $inner)
    }
    [pscustomobject]@{
        PSTypeName  = 'SysmonTs.Channel'
        Endpoint    = $endpoint
        Socket      = $socket
        Stream      = $stream
        Reader      = [System.IO.StreamReader]::new($stream, [System.Text.UTF8Encoding]::new($false), $false, 65536, $true)
        PendingRead = $null
        NextId      = 1
    }
}

function Close-MonitorChannel {
    [CmdletBinding()]
    param([Parameter(Mandatory)] [AllowNull()] [pscustomobject] $Channel)
    if ($null -eq $Channel) { return }
    # Disposing the stream also ends a pending read and, for a socket, closes the socket.
    $Channel.Reader.Dispose()
    $Channel.Stream.Dispose()
    if ($Channel.Socket) { $Channel.Socket.Dispose() }
}

function Send-MonitorMessage {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Channel,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Message
    )
    $line = (ConvertTo-Json -InputObject $Message -Depth 32 -Compress) + "`n"
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($line)
    try {
        $Channel.Stream.Write($bytes, 0, $bytes.Length)
        $Channel.Stream.Flush()
    }
    catch {
        throw (New-NotRunningException -Endpoint $Channel.Endpoint -InnerException (Get-InnermostException -Exception $_.Exception))
    }
}

function Read-MonitorMessage {
    # Waits in short slices so that Ctrl+C stops the command between two of them; a read that
    # is still pending stays on the channel for the next call.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Channel,
        [int] $TimeoutMilliseconds = 30000
    )
    if ($null -eq $Channel.PendingRead) { $Channel.PendingRead = $Channel.Reader.ReadLineAsync() }
    $task = $Channel.PendingRead
    $waited = 0
    try {
        while (-not $task.Wait(200)) {
            $waited += 200
            if ($TimeoutMilliseconds -gt 0 -and $waited -ge $TimeoutMilliseconds) {
                throw (New-MonitorException -Code 'SYSMONTS_E_RPC_PROTOCOL' -TargetObject $Channel.Endpoint `
                        -Message "The SysmonTs monitor did not answer within $($TimeoutMilliseconds / 1000) s on $($Channel.Endpoint).")
            }
        }
        $line = $task.Result
    }
    catch {
        if ($_.Exception.Data['SysmonTsCode']) { throw }
        # A faulted read: the monitor reset the connection (it stopped, or dropped a slow client).
        $Channel.PendingRead = $null
        throw (New-MonitorException -Code 'SYSMONTS_E_NOT_RUNNING' -TargetObject $Channel.Endpoint -InnerException (Get-InnermostException -Exception $_.Exception) `
                -Message "The SysmonTs monitor closed the control channel at $($Channel.Endpoint) (it stopped, or dropped this client).")
    }
    $Channel.PendingRead = $null
    if ($null -eq $line) {
        throw (New-MonitorException -Code 'SYSMONTS_E_NOT_RUNNING' -TargetObject $Channel.Endpoint `
                -Message "The SysmonTs monitor closed the control channel at $($Channel.Endpoint) (it stopped, or refused this client).")
    }
    try { ConvertFrom-Json -InputObject $line -Depth 64 }
    catch {
        throw (New-MonitorException -Code 'SYSMONTS_E_RPC_PROTOCOL' -TargetObject $Channel.Endpoint `
                -Message "The SysmonTs monitor sent a message that is not JSON: $($_.Exception.Message)")
    }
}

function Invoke-MonitorRpc {
    # One request and its response. Notifications that arrive in between (a subscription on the
    # same channel) are left to Watch-MonitorEvent, which reads them itself.
    [CmdletBinding()]
    [OutputType([object])]
    param(
        [Parameter(Mandatory)] [string] $Method,
        [System.Collections.IDictionary] $Params = @{},
        [pscustomobject] $Channel,
        [object] $TargetObject
    )
    $ownChannel = $null -eq $Channel
    if ($ownChannel) { $Channel = Open-MonitorChannel }
    try {
        $id = $Channel.NextId
        $Channel.NextId = $id + 1
        Send-MonitorMessage -Channel $Channel -Message ([ordered]@{ jsonrpc = '2.0'; id = $id; method = $Method; params = $Params })
        while ($true) {
            $message = Read-MonitorMessage -Channel $Channel
            if ($null -eq $message.PSObject.Properties['id'] -or $message.id -ne $id) { continue }
            if ($null -ne $message.PSObject.Properties['error'] -and $null -ne $message.error) {
                throw (ConvertFrom-RpcError -RpcError $message.error -Method $Method -TargetObject $TargetObject)
            }
            return $message.result
        }
    }
    finally {
        if ($ownChannel) { Close-MonitorChannel -Channel $Channel }
    }
}
