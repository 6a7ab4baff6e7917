<#
.SYNOPSIS
Confirms on a real Windows machine what Wine cannot: that SysmonTs's ETW sessions deliver
events and that the event log renders them with Sysmon's fields.

.DESCRIPTION
Run as Administrator with SysmonTs installed by its MSI (which registers the manifest with
wevtutil im) and running, with a configuration that includes RawAccessRead and
ProcessAccess. Generates a process start, a TCP connection, a DNS query, a WMI permanent
subscription, a raw volume read and a process handle, then checks the SysmonTs/Operational channel with Get-WinEvent.
Exits 0 when every check passes, 1 otherwise.
#>
[CmdletBinding()]
param(
    [string] $LogName = 'SysmonTs/Operational',
    [int] $WaitSeconds = 15
)
$ErrorActionPreference = 'Stop'
$failures = 0
function Check([string] $What, [scriptblock] $Test) {
    try {
        if (& $Test) { Write-Host "PASS  $What" } else { Write-Host "FAIL  $What"; $script:failures++ }
    } catch {
        Write-Host "FAIL  $What ($($_.Exception.Message))"; $script:failures++
    }
}

Check 'the SysmonTs ETW sessions are running' {
    $sessions = (logman query -ets) -join "`n"
    ($sessions -match 'SysmonTs-Network') -and ($sessions -match 'SysmonTs-Dns')
}
Check 'the provider and channel are registered' {
    (Get-WinEvent -ListLog $LogName).IsEnabled -and (Get-WinEvent -ListProvider SysmonTs).Name -eq 'SysmonTs'
}

$start = Get-Date
$marker = "sysmonts-confirm-$PID.example.com"
Start-Process -FilePath "$env:SystemRoot\System32\cmd.exe" -ArgumentList '/c', 'exit 7' -Wait -WindowStyle Hidden
Resolve-DnsName -Name $marker -ErrorAction SilentlyContinue | Out-Null
try { (New-Object Net.Sockets.TcpClient).Connect('127.0.0.1', 135) } catch { }
$filter = Set-WmiInstance -Namespace root\subscription -Class __EventFilter -Arguments @{
    Name = 'SysmonTsConfirm'; EventNamespace = 'root\cimv2'; QueryLanguage = 'WQL'
    Query = "SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_LocalTime'" }
$consumer = Set-WmiInstance -Namespace root\subscription -Class CommandLineEventConsumer -Arguments @{
    Name = 'SysmonTsConfirm'; CommandLineTemplate = "$env:SystemRoot\System32\cmd.exe /c exit 0" }
$binding = Set-WmiInstance -Namespace root\subscription -Class __FilterToConsumerBinding -Arguments @{ Filter = $filter; Consumer = $consumer }
# Event 9: read the system volume's first sector through a DASD handle (.NET refuses device paths).
Add-Type -Namespace SysmonTsConfirm -Name Native -MemberDefinition @'
[DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)] public static extern Microsoft.Win32.SafeHandles.SafeFileHandle CreateFileW(string name, uint access, uint share, IntPtr security, uint disposition, uint flags, IntPtr template);
[DllImport("kernel32.dll", SetLastError = true)] public static extern bool ReadFile(Microsoft.Win32.SafeHandles.SafeFileHandle file, byte[] buffer, uint length, out uint read, IntPtr overlapped);
'@
$volume = [SysmonTsConfirm.Native]::CreateFileW("\\.\$env:SystemDrive", 0x80000000, 3, [IntPtr]::Zero, 3, 0, [IntPtr]::Zero)
$read = 0; [SysmonTsConfirm.Native]::ReadFile($volume, (New-Object byte[] 512), 512, [ref]$read, [IntPtr]::Zero) | Out-Null; $volume.Close()
# Event 10: open another process with query access; its CallTrace must name modules.
$target = Start-Process -FilePath "$env:SystemRoot\System32\cmd.exe" -ArgumentList '/c', 'ping -n 3 127.0.0.1 >nul' -PassThru -WindowStyle Hidden
[Diagnostics.Process]::GetProcessById($target.Id).Handle | Out-Null
Start-Sleep -Seconds $WaitSeconds
$binding, $consumer, $filter | Remove-WmiObject

function Events([int] $Id) { Get-WinEvent -FilterHashtable @{ LogName = $LogName; Id = $Id; StartTime = $start } -ErrorAction SilentlyContinue }
function Field($Event, [string] $Name) { ([xml]$Event.ToXml()).Event.EventData.Data | Where-Object Name -eq $Name | ForEach-Object '#text' }

Check 'event 1 for cmd.exe, fields by name in Sysmon order' {
    $e = Events 1 | Where-Object { (Field $_ 'Image') -like '*\cmd.exe' } | Select-Object -First 1
    $names = ([xml]$e.ToXml()).Event.EventData.Data.Name
    $e -and $names[0] -eq 'RuleName' -and $names[1] -eq 'UtcTime' -and $names[4] -eq 'Image' -and $e.Version -eq 5
}
Check 'event 1 rendered from SysmonTs.Events.dll: Properties in template order, message with inserts, task string' {
    $e = Events 1 | Where-Object { (Field $_ 'Image') -like '*\cmd.exe' } | Select-Object -First 1
    $names = (Get-WinEvent -ListProvider SysmonTs).Events | Where-Object Id -eq 1 | ForEach-Object { ([xml]$_.Template).template.data.name }
    $e -and $e.Properties.Count -eq $names.Count -and $e.Properties[4].Value -like '*\cmd.exe' -and
        $names[4] -eq 'Image' -and $e.Message -match '^Process Create:' -and $e.Message -match 'Image: .*\\cmd\.exe' -and
        $e.TaskDisplayName -eq 'Process Create (rule: ProcessCreate)'
}
Check 'event 5 for cmd.exe' { [bool](Events 5 | Where-Object { (Field $_ 'Image') -like '*\cmd.exe' }) }
Check 'event 3 to 127.0.0.1:135, initiated' {
    [bool](Events 3 | Where-Object { (Field $_ 'DestinationIp') -eq '127.0.0.1' -and (Field $_ 'DestinationPort') -eq '135' -and (Field $_ 'Initiated') -eq 'true' })
}
Check 'event 22 for the marker query' { [bool](Events 22 | Where-Object { (Field $_ 'QueryName') -eq $marker }) }
Check 'events 19, 20 and 21 for the WMI subscription' {
    [bool](Events 19 | Where-Object { (Field $_ 'Name') -like '*SysmonTsConfirm*' }) -and [bool](Events 20) -and [bool](Events 21)
}
Check 'event 9 for the volume read, Device \Device\HarddiskVolumeN' {
    [bool](Events 9 | Where-Object { (Field $_ 'Device') -like '\Device\HarddiskVolume*' -and (Field $_ 'ProcessId') -eq "$PID" })
}
Check 'event 10 with a CallTrace naming ntdll.dll+offset' {
    [bool](Events 10 | Where-Object { (Field $_ 'SourceProcessId') -eq "$PID" -and (Field $_ 'CallTrace') -match 'ntdll\.dll\+[0-9a-f]+' })
}
# Event 25 needs a tampering tool (e.g. herpaderping.exe) and event 8 a CreateRemoteThread with
# LoadLibraryW (StartModule ...\KERNEL32.DLL, StartFunction LoadLibraryW): run those by hand.
Check 'no SysmonTs session is left after the service stops' {
    Stop-Service SysmonTs; Start-Sleep -Seconds 3
    $left = -not ((logman query -ets) -join "`n" -match 'SysmonTs-'); Start-Service SysmonTs; $left
}

if ($failures) { Write-Host "$failures check(s) failed"; exit 1 }
Write-Host 'all checks passed'; exit 0
