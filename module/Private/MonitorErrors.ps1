# How the module reports failures. Private helpers throw a plain exception that carries the
# engine's SYSMONTS_E_* code in Exception.Data; each public command turns it into an ErrorRecord
# of its own, so FullyQualifiedErrorId reads "SYSMONTS_E_<CODE>,<Command-Name>" and the
# ErrorCategory is the one engine/src/base/errors.ts gives that code.

function New-MonitorException {
    [CmdletBinding()]
    [OutputType([System.Exception])]
    param(
        [Parameter(Mandatory)] [string] $Code,
        [Parameter(Mandatory)] [string] $Message,
        [object] $TargetObject,
        [hashtable] $Details = @{},
        [string] $RecommendedAction,
        [System.Exception] $InnerException
    )
    $exception = if ($InnerException) { [System.Exception]::new($Message, $InnerException) } else { [System.Exception]::new($Message) }
    $exception.Data['SysmonTsCode'] = $Code
    $exception.Data['SysmonTsTarget'] = $TargetObject
    $exception.Data['SysmonTsRecommendedAction'] = $RecommendedAction
    foreach ($key in $Details.Keys) { $exception.Data[$key] = $Details[$key] }
    $exception
}

function ConvertTo-MonitorErrorRecord {
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param([Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $ErrorRecord)
    $exception = $ErrorRecord.Exception
    while ($exception -is [System.Management.Automation.MethodInvocationException] -and $exception.InnerException) {
        $exception = $exception.InnerException
    }
    $code = $exception.Data['SysmonTsCode']
    if (-not $code) { return $ErrorRecord }
    $categoryName = $script:Catalogue.ErrorCategories[$code]
    $category = if ($categoryName) { [System.Management.Automation.ErrorCategory]$categoryName } else { [System.Management.Automation.ErrorCategory]::NotSpecified }
    $record = [System.Management.Automation.ErrorRecord]::new($exception, $code, $category, $exception.Data['SysmonTsTarget'])
    $action = $exception.Data['SysmonTsRecommendedAction']
    if ($action) {
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($exception.Message)
        $record.ErrorDetails.RecommendedAction = $action
    }
    $record
}

function Test-PipelineStopped {
    # Ctrl+C must stop a command, never be reported as one of its errors.
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $ErrorRecord)
    # -and and -or share one precedence in PowerShell, hence the parentheses.
    ($ErrorRecord.Exception -is [System.Management.Automation.PipelineStoppedException]) -or
        ($ErrorRecord.Exception -is [System.Management.Automation.ActionPreferenceStopException] -and
        $ErrorRecord.Exception.ErrorRecord.Exception -is [System.Management.Automation.PipelineStoppedException])
}

function ConvertTo-MonitorDiagnostic {
    # One config error or lint warning as an object with Line and Column (engine: {file,line,column,message,code}).
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [object] $Diagnostic,
        [Parameter(Mandatory)] [ValidateSet('Error', 'Warning')] [string] $Severity
    )
    $line = if ($null -ne $Diagnostic.line) { [int]$Diagnostic.line } else { $null }
    $column = if ($null -ne $Diagnostic.column) { [int]$Diagnostic.column } else { $null }
    [pscustomobject]@{
        PSTypeName = 'SysmonTs.ConfigDiagnostic'
        Severity   = $Severity
        File       = [string]$Diagnostic.file
        Line       = $line
        Column     = $column
        Code       = [string]$Diagnostic.code
        Message    = [string]$Diagnostic.message
    }
}

function Format-MonitorDiagnostic {
    # The compiler-style text the CLI prints: "file:line:col: message".
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [pscustomobject] $Diagnostic)
    if ($null -ne $Diagnostic.Line) { "$($Diagnostic.File):$($Diagnostic.Line):$($Diagnostic.Column): $($Diagnostic.Message)" }
    else { $Diagnostic.Message }
}

function ConvertFrom-RpcError {
    # A JSON-RPC error object as an exception; engine errors carry their code in data.code.
    [CmdletBinding()]
    [OutputType([System.Exception])]
    param(
        [Parameter(Mandatory)] [object] $RpcError,
        [string] $Method,
        [object] $TargetObject
    )
    $data = $RpcError.data
    $code = if ($data -and $data.code) { [string]$data.code } else { 'SYSMONTS_E_RPC_PROTOCOL' }
    $message = [string]$RpcError.message
    $details = @{ RpcCode = $RpcError.code; Method = $Method }
    $diagnostics = @(foreach ($item in @($data.errors)) { if ($item) { ConvertTo-MonitorDiagnostic -Diagnostic $item -Severity Error } })
    if ($diagnostics.Count -gt 0) {
        $details['Errors'] = $diagnostics
        $message = (@($message) + @($diagnostics | ForEach-Object { Format-MonitorDiagnostic -Diagnostic $_ })) -join [Environment]::NewLine
        $first = $diagnostics[0]
        $details['File'] = $first.File; $details['Line'] = $first.Line; $details['Column'] = $first.Column
    }
    if ($data -and $null -ne $data.line) {
        $details['File'] = [string]$data.file; $details['Line'] = [int]$data.line; $details['Column'] = [int]$data.column
    }
    New-MonitorException -Code $code -Message $message -TargetObject $TargetObject -Details $details
}
