/*
 * DriverEntry, the control device and record emission.
 *
 * The service opens \\.\SysmonTs, sends IOCTL_SYSMONTS_START (and SET_CONFIG), then loops on
 * IOCTL_SYSMONTS_READ, as Sysmon's service does with its driver (DESIGN.md, "How Sysmon itself
 * works on Windows"). Every registration's NTSTATUS is written under <service key>\Results so an
 * installer, a support script or the Wine smoke test can see what the kernel accepted.
 */
#include "sysmonts_driver.h"

SYSMONTS_STATE SysmonTsState;
BOOLEAN SysmonTsRingPush(const SYSMONTS_RECORD_HEADER *record);

static PDEVICE_OBJECT ControlDevice;
static UNICODE_STRING ResultsKeyPath;
static BOOLEAN SymbolicLinkCreated;

typedef PVOID (NTAPI *ExAllocatePool2Routine)(ULONG64 flags, SIZE_T bytes, ULONG tag);
typedef VOID (NTAPI *KeQuerySystemTimePreciseRoutine)(PLARGE_INTEGER time);
static ExAllocatePool2Routine AllocatePool2;
static KeQuerySystemTimePreciseRoutine QuerySystemTimePrecise;
#ifndef POOL_FLAG_NON_PAGED
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#endif
#ifndef MdlMappingNoExecute
#define MdlMappingNoExecute 0x40000000
#endif

PVOID SysmonTsResolve(PCWSTR routineName)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, routineName);
    return MmGetSystemRoutineAddress(&name);
}

PVOID SysmonTsAllocate(SIZE_T bytes)
{
    PVOID memory;
    /* ExAllocatePool2 (Windows 10 2004+) zeroes and is the supported routine; mingw and older
       kernels only have ExAllocatePoolWithTag. */
    if (AllocatePool2 != NULL) return AllocatePool2(POOL_FLAG_NON_PAGED, bytes, SYSMONTS_POOL_TAG);
#ifdef SYSMONTS_WDK_BUILD
#pragma warning(suppress : 4996) /* the fallback for kernels before ExAllocatePool2 */
#endif
    memory = ExAllocatePoolWithTag(NonPagedPoolNx, bytes, SYSMONTS_POOL_TAG);
    if (memory != NULL) RtlZeroMemory(memory, bytes);
    return memory;
}

VOID SysmonTsFree(PVOID memory) { ExFreePoolWithTag(memory, SYSMONTS_POOL_TAG); }

LONGLONG SysmonTsNow(VOID)
{
    LARGE_INTEGER now;
    if (QuerySystemTimePrecise != NULL) QuerySystemTimePrecise(&now);
    else KeQuerySystemTime(&now);
    return now.QuadPart;
}

VOID SysmonTsRecordResult(PCWSTR name, NTSTATUS status)
{
    ULONG value = (ULONG)status;
    if (ResultsKeyPath.Buffer == NULL) return;
    RtlWriteRegistryValue(RTL_REGISTRY_ABSOLUTE, ResultsKeyPath.Buffer, name, REG_DWORD, &value, sizeof value);
}

BOOLEAN SysmonTsWants(USHORT type)
{
    return SysmonTsState.Started && type < 32 && (SysmonTsState.EnabledRecordTypes & (1L << type)) != 0;
}

BOOLEAN SysmonTsIsServiceProcess(HANDLE processId)
{
    return (LONG)(ULONG_PTR)processId == SysmonTsState.ServicePid;
}

BOOLEAN SysmonTsEmit(USHORT type, PVOID fixedRecord, ULONG fixedSize, const SYSMONTS_STRING_ARG *strings, ULONG stringCount)
{
    ULONG total = fixedSize, i, at;
    PUCHAR record;
    SYSMONTS_RECORD_HEADER *header;
    BOOLEAN queued;
    /* The service's own activity is never recorded, but the driver's reports about itself are
       raised in the service's context (START arrives from it) and must reach it. */
    if (!SysmonTsWants(type)) return FALSE;
    if (type != SYSMONTS_RECORD_DRIVER_STATUS && SysmonTsIsServiceProcess(PsGetCurrentProcessId())) return FALSE;
    for (i = 0; i < stringCount; i++) {
        if (strings[i].Text != NULL) total += min((ULONG)strings[i].Text->Length, SYSMONTS_MAX_STRING_BYTES) & ~1u;
    }
    if (total > 0xFFFF) total = 0xFFFF;
    record = (PUCHAR)SysmonTsAllocate(total);
    if (record == NULL) return FALSE;
    RtlCopyMemory(record, fixedRecord, fixedSize);
    header = (SYSMONTS_RECORD_HEADER *)record;
    header->Type = type;
    header->Timestamp = SysmonTsNow();
    header->Pid = (uint32_t)(ULONG_PTR)PsGetCurrentProcessId();
    header->Tid = (uint32_t)(ULONG_PTR)PsGetCurrentThreadId();
    at = fixedSize;
    for (i = 0; i < stringCount; i++) {
        SYSMONTS_STRING *field = (SYSMONTS_STRING *)(record + strings[i].FieldOffset);
        ULONG length = 0;
        if (strings[i].Text != NULL && strings[i].Text->Buffer != NULL) {
            length = min((ULONG)strings[i].Text->Length, SYSMONTS_MAX_STRING_BYTES) & ~1u;
            length = min(length, total - at);
        }
        field->Offset = (uint16_t)(length == 0 ? 0 : at);
        field->Length = (uint16_t)length;
        if (length != 0) RtlCopyMemory(record + at, strings[i].Text->Buffer, length);
        at += length;
    }
    header->Size = (uint16_t)at;
    queued = SysmonTsRingPush(header);
    SysmonTsFree(record);
    return queued;
}

/* ---- the control device ---- */

static NTSTATUS Complete(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS NTAPI DispatchCreateClose(PDEVICE_OBJECT device, PIRP irp)
{
    UNREFERENCED_PARAMETER(device);
    return Complete(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS NTAPI DispatchControl(PDEVICE_OBJECT device, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG inLength = stack->Parameters.DeviceIoControl.InputBufferLength;
    PVOID input = irp->AssociatedIrp.SystemBuffer;
    UNREFERENCED_PARAMETER(device);

    switch (code) {
    case IOCTL_SYSMONTS_START: {
        const SYSMONTS_START_REQUEST *start = (const SYSMONTS_START_REQUEST *)input;
        SYSMONTS_DRIVER_STATUS_RECORD status;
        if (inLength < sizeof *start || start->ProtocolVersion != SYSMONTS_PROTOCOL_VERSION) {
            return Complete(irp, STATUS_REVISION_MISMATCH, 0);
        }
        InterlockedExchange(&SysmonTsState.ServicePid, (LONG)start->ServicePid);
        InterlockedExchange(&SysmonTsState.Started, 1);
        RtlZeroMemory(&status, sizeof status);
        status.Header.Version = SYSMONTS_RECORD_DRIVER_STATUS_VERSION;
        status.ProtocolVersion = SYSMONTS_PROTOCOL_VERSION;
        status.Callbacks = (uint32_t)SysmonTsState.Callbacks;
        status.RingCapacity = SysmonTsRingCapacity();
        status.ArchiveHoldSlots = SysmonTsArchiveHoldSlots();
        SysmonTsEmit(SYSMONTS_RECORD_DRIVER_STATUS, &status, sizeof status, NULL, 0);
        return Complete(irp, STATUS_SUCCESS, 0);
    }
    case IOCTL_SYSMONTS_SET_CONFIG: {
        const SYSMONTS_CONFIG_REQUEST *config = (const SYSMONTS_CONFIG_REQUEST *)input;
        if (inLength < sizeof *config || config->ProtocolVersion != SYSMONTS_PROTOCOL_VERSION) {
            return Complete(irp, STATUS_REVISION_MISMATCH, 0);
        }
        /* DRIVER_STATUS and RECORDS_LOST cannot be switched off: losses are always reported. */
        InterlockedExchange(&SysmonTsState.EnabledRecordTypes, (LONG)(config->EnabledRecordTypes
            | (1u << SYSMONTS_RECORD_DRIVER_STATUS) | (1u << SYSMONTS_RECORD_RECORDS_LOST)));
        InterlockedExchange(&SysmonTsState.BlockTimeoutMs, (LONG)min(config->BlockTimeoutMs, 5000u));
        /* Unknown bits are ignored, so a newer service's flags never make an older driver refuse. */
        InterlockedExchange(&SysmonTsState.ConfigFlags, (LONG)(config->Flags & SYSMONTS_CONFIG_HOLD_DELETES));
        return Complete(irp, STATUS_SUCCESS, 0);
    }
    case IOCTL_SYSMONTS_READ: {
        /* METHOD_OUT_DIRECT: the output buffer is the locked MDL. Waits at most 500 ms so the
           service's reader thread notices a stop without cancelling the IRP. */
        PUCHAR out;
        ULONG outLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
        if (irp->MdlAddress == NULL || outLength < 64) return Complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
        out = (PUCHAR)MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute);
        if (out == NULL) return Complete(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
        return Complete(irp, STATUS_SUCCESS, SysmonTsRingRead(out, outLength, 500));
    }
    case IOCTL_SYSMONTS_BLOCK_DECISION: {
        const SYSMONTS_BLOCK_DECISION_REQUEST *decision = (const SYSMONTS_BLOCK_DECISION_REQUEST *)input;
        if (inLength < sizeof *decision) return Complete(irp, STATUS_INVALID_PARAMETER, 0);
        return Complete(irp, SysmonTsBlockDecision(decision->RequestId, decision->Block != 0), 0);
    }
    default:
        return Complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static NTSTATUS CreateResultsKey(PUNICODE_STRING registryPath)
{
    static const WCHAR suffix[] = L"\\Results";
    USHORT bytes = (USHORT)(registryPath->Length + sizeof suffix);
    ResultsKeyPath.Buffer = (PWCH)SysmonTsAllocate(bytes);
    if (ResultsKeyPath.Buffer == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    ResultsKeyPath.Length = 0;
    ResultsKeyPath.MaximumLength = bytes;
    RtlCopyUnicodeString(&ResultsKeyPath, registryPath);
    RtlAppendUnicodeToString(&ResultsKeyPath, suffix);
    return RtlCreateRegistryKey(RTL_REGISTRY_ABSOLUTE, ResultsKeyPath.Buffer);
}

static VOID NTAPI DriverUnload(PDRIVER_OBJECT driver)
{
    UNICODE_STRING link;
    UNREFERENCED_PARAMETER(driver);
    InterlockedExchange(&SysmonTsState.Started, 0);
    SysmonTsUnregisterMinifilter();
    SysmonTsUnregisterCallbacks();
    SysmonTsReleaseBlockWaiters();
    SysmonTsRingWakeReaders();
    if (SymbolicLinkCreated) {
        RtlInitUnicodeString(&link, SYSMONTS_DOS_DEVICE_NAME);
        IoDeleteSymbolicLink(&link);
    }
    if (ControlDevice != NULL) IoDeleteDevice(ControlDevice);
    SysmonTsRingFree();
    SysmonTsRecordResult(L"DriverUnload", STATUS_SUCCESS);
    if (ResultsKeyPath.Buffer != NULL) SysmonTsFree(ResultsKeyPath.Buffer);
    ResultsKeyPath.Buffer = NULL;
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registryPath)
{
    UNICODE_STRING deviceName, link;
    NTSTATUS status;

    AllocatePool2 = (ExAllocatePool2Routine)SysmonTsResolve(L"ExAllocatePool2");
    QuerySystemTimePrecise = (KeQuerySystemTimePreciseRoutine)SysmonTsResolve(L"KeQuerySystemTimePrecise");
    /* Everything but BLOCK_REQUEST: holding file operations for a decision is opt-in (the service
       enables it only when the configuration has FileBlock rules, events 27/28). */
    SysmonTsState.EnabledRecordTypes = (LONG)(0xFFFFFFFEu & ~(1u << SYSMONTS_RECORD_BLOCK_REQUEST));
    SysmonTsState.BlockTimeoutMs = 1000;

    status = CreateResultsKey(registryPath);
    if (!NT_SUCCESS(status)) return status;
    SysmonTsRecordResult(L"DriverEntry", STATUS_PENDING);

    status = SysmonTsRingInitialize(SYSMONTS_RING_BYTES);
    SysmonTsRecordResult(L"RingInitialize", status);
    if (!NT_SUCCESS(status)) goto failed;

    RtlInitUnicodeString(&deviceName, SYSMONTS_DEVICE_NAME);
    status = IoCreateDevice(driver, 0, &deviceName, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, &ControlDevice);
    SysmonTsRecordResult(L"IoCreateDevice", status);
    if (!NT_SUCCESS(status)) goto failed;
    RtlInitUnicodeString(&link, SYSMONTS_DOS_DEVICE_NAME);
    status = IoCreateSymbolicLink(&link, &deviceName);
    SysmonTsRecordResult(L"IoCreateSymbolicLink", status);
    if (!NT_SUCCESS(status)) goto failed;
    SymbolicLinkCreated = TRUE;

    driver->MajorFunction[IRP_MJ_CREATE] = DispatchCreateClose;
    driver->MajorFunction[IRP_MJ_CLOSE] = DispatchCreateClose;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = DispatchControl;
    driver->DriverUnload = DriverUnload;

    /* Each sensor is optional: a kernel that refuses one (or Wine, which stubs most) still gets
       the others, and DRIVER_STATUS tells the service which are live. */
    SysmonTsState.Callbacks = (LONG)SysmonTsRegisterCallbacks(driver);
    if (NT_SUCCESS(SysmonTsRegisterMinifilter(driver))) SysmonTsState.Callbacks |= SYSMONTS_CALLBACK_MINIFILTER;
    SysmonTsRecordResult(L"Callbacks", (NTSTATUS)SysmonTsState.Callbacks);
    SysmonTsRecordResult(L"DriverEntry", STATUS_SUCCESS);
    return STATUS_SUCCESS;

failed:
    SysmonTsRecordResult(L"DriverEntry", status);
    if (SymbolicLinkCreated) IoDeleteSymbolicLink(&link);
    if (ControlDevice != NULL) IoDeleteDevice(ControlDevice);
    ControlDevice = NULL;
    SysmonTsRingFree();
    SysmonTsFree(ResultsKeyPath.Buffer);
    ResultsKeyPath.Buffer = NULL;
    return status;
}
