/*
 * The file-system minifilter: file create (11), creation-time change (2), named stream (15),
 * delete (23/26), raw volume access (9), the optional block decision (27/28) and, with NPFS
 * support, named pipes (17/18).
 * Altitude SYSMONTS_ALTITUDE is in the FSFilter Activity Monitor range (360000-389999), next to
 * Sysmon's 385201 but distinct from it so both can run side by side.
 */
#include "sysmonts_driver.h"

static PFLT_FILTER Filter;

/* ---- block decisions: a small table of operations held while the service decides ---- */

#define BLOCK_SLOTS 32
static struct {
    KSPIN_LOCK Lock;
    volatile LONG64 NextId;
    struct { ULONG64 RequestId; BOOLEAN InUse; BOOLEAN Block; KEVENT Decided; } Slot[BLOCK_SLOTS];
} Blocks;

NTSTATUS SysmonTsBlockDecision(ULONG64 requestId, BOOLEAN block)
{
    KIRQL irql;
    ULONG i;
    NTSTATUS status = STATUS_NOT_FOUND;
    KeAcquireSpinLock(&Blocks.Lock, &irql);
    for (i = 0; i < BLOCK_SLOTS; i++) {
        if (Blocks.Slot[i].InUse && Blocks.Slot[i].RequestId == requestId) {
            Blocks.Slot[i].Block = block;
            KeSetEvent(&Blocks.Slot[i].Decided, IO_NO_INCREMENT, FALSE);
            status = STATUS_SUCCESS;
            break;
        }
    }
    KeReleaseSpinLock(&Blocks.Lock, irql);
    return status;
}

VOID SysmonTsReleaseBlockWaiters(VOID)
{
    ULONG i;
    for (i = 0; i < BLOCK_SLOTS; i++) {
        if (Blocks.Slot[i].InUse) KeSetEvent(&Blocks.Slot[i].Decided, IO_NO_INCREMENT, FALSE);
    }
}

/* Asks the service; allows the operation when no slot is free or no answer comes in time, so a
   stopped or slow service can never wedge the file system. */
static BOOLEAN ShouldBlock(ULONG operation, PCUNICODE_STRING fileName)
{
    SYSMONTS_BLOCK_REQUEST_RECORD record;
    SYSMONTS_STRING_ARG name;
    LARGE_INTEGER timeout;
    KIRQL irql;
    ULONG i, slot = BLOCK_SLOTS;
    BOOLEAN block = FALSE;
    if (!SysmonTsWants(SYSMONTS_RECORD_BLOCK_REQUEST) || KeGetCurrentIrql() != PASSIVE_LEVEL) return FALSE;
    KeAcquireSpinLock(&Blocks.Lock, &irql);
    for (i = 0; i < BLOCK_SLOTS; i++) {
        if (!Blocks.Slot[i].InUse) {
            slot = i;
            Blocks.Slot[i].InUse = TRUE;
            Blocks.Slot[i].Block = FALSE;
            Blocks.Slot[i].RequestId = (ULONG64)InterlockedIncrement64(&Blocks.NextId);
            KeClearEvent(&Blocks.Slot[i].Decided);
            break;
        }
    }
    KeReleaseSpinLock(&Blocks.Lock, irql);
    if (slot == BLOCK_SLOTS) return FALSE;
    RtlZeroMemory(&record, sizeof record);
    record.Header.Version = SYSMONTS_RECORD_BLOCK_REQUEST_VERSION;
    record.RequestId = Blocks.Slot[slot].RequestId;
    record.Operation = operation;
    record.TimeoutMs = (uint32_t)SysmonTsState.BlockTimeoutMs;
    name.FieldOffset = (ULONG)offsetof(SYSMONTS_BLOCK_REQUEST_RECORD, TargetFilename);
    name.Text = fileName;
    SysmonTsEmit(SYSMONTS_RECORD_BLOCK_REQUEST, &record, sizeof record, &name, 1);
    timeout.QuadPart = -10000LL * SysmonTsState.BlockTimeoutMs;
    if (KeWaitForSingleObject(&Blocks.Slot[slot].Decided, Executive, KernelMode, FALSE, &timeout) == STATUS_SUCCESS) {
        block = Blocks.Slot[slot].Block;
    }
    KeAcquireSpinLock(&Blocks.Lock, &irql);
    Blocks.Slot[slot].InUse = FALSE;
    KeReleaseSpinLock(&Blocks.Lock, irql);
    return block;
}

/* ---- operations ---- */

static BOOLEAN IsNamedPipe(PCUNICODE_STRING name)
{
    static const WCHAR prefix[] = L"\\Device\\NamedPipe";
    UNICODE_STRING device;
    device.Buffer = (PWCH)prefix;
    device.Length = device.MaximumLength = sizeof prefix - sizeof(WCHAR);
    return RtlPrefixUnicodeString(&device, name, TRUE);
}

static VOID EmitPipe(ULONG operation, PFLT_FILE_NAME_INFORMATION name)
{
    SYSMONTS_PIPE_RECORD record;
    SYSMONTS_STRING_ARG pipe;
    UNICODE_STRING relative = name->Name;
    /* PipeName is relative to the named-pipe file system ("\\name"), as Sysmon prints it. */
    relative.Buffer += name->Volume.Length / sizeof(WCHAR);
    relative.Length = (USHORT)(relative.Length - name->Volume.Length);
    RtlZeroMemory(&record, sizeof record);
    record.Header.Version = SYSMONTS_RECORD_PIPE_VERSION;
    record.Operation = operation;
    pipe.FieldOffset = (ULONG)offsetof(SYSMONTS_PIPE_RECORD, PipeName);
    pipe.Text = &relative;
    SysmonTsEmit(SYSMONTS_RECORD_PIPE, &record, sizeof record, &pipe, 1);
}

/* Event 9, RawAccessRead. A process that reads a volume directly (CreateFile("\\\\.\\C:")) opens
   the volume device itself: the I/O manager sends the create with an empty file name and no
   related file object and marks the file object FO_VOLUME_OPEN (a DASD open). Sysmon's minifilter
   registers create but not read (DESIGN.md, "How Sysmon itself works on Windows"), so, as there,
   the record is raised when such an open that asked for FILE_READ_DATA succeeds: one record per
   handle, nothing per read. Opens of a whole disk (\Device\Harddisk0\DR0) reach no file
   system and so no minifilter; they are not seen. */
static BOOLEAN IsRawVolumeRead(PFLT_CALLBACK_DATA data, PFILE_OBJECT fileObject)
{
    PIO_SECURITY_CONTEXT security = data->Iopb->Parameters.Create.SecurityContext;
    if (fileObject == NULL || fileObject->FileName.Length != 0 || fileObject->RelatedFileObject != NULL) return FALSE;
    if ((fileObject->Flags & FO_VOLUME_OPEN) == 0) return FALSE;
    return security != NULL && (security->DesiredAccess & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL | MAXIMUM_ALLOWED)) != 0;
}

static VOID EmitRawAccessRead(PCFLT_RELATED_OBJECTS objects)
{
    SYSMONTS_RAW_ACCESS_READ_RECORD record;
    SYSMONTS_STRING_ARG device;
    WCHAR buffer[128];
    UNICODE_STRING volume;
    ULONG needed = 0;
    volume.Buffer = buffer;
    volume.Length = 0;
    volume.MaximumLength = sizeof buffer;
    /* "\Device\HarddiskVolume2": the Device Sysmon prints. */
    if (objects->Volume == NULL || !NT_SUCCESS(FltGetVolumeName(objects->Volume, &volume, &needed))) return;
    RtlZeroMemory(&record, sizeof record);
    record.Header.Version = SYSMONTS_RECORD_RAW_ACCESS_READ_VERSION;
    record.FileObjectFlags = objects->FileObject->Flags;
    device.FieldOffset = (ULONG)offsetof(SYSMONTS_RAW_ACCESS_READ_RECORD, Device);
    device.Text = &volume;
    SysmonTsEmit(SYSMONTS_RECORD_RAW_ACCESS_READ, &record, sizeof record, &device, 1);
}

static PFLT_FILE_NAME_INFORMATION FileName(PFLT_CALLBACK_DATA data, FLT_FILE_NAME_OPTIONS kind)
{
    PFLT_FILE_NAME_INFORMATION name = NULL;
    if (!NT_SUCCESS(FltGetFileNameInformation(data, kind | FLT_FILE_NAME_QUERY_DEFAULT, &name))) return NULL;
    if (!NT_SUCCESS(FltParseFileNameInformation(name))) {
        FltReleaseFileNameInformation(name);
        return NULL;
    }
    return name;
}

static FLT_POSTOP_CALLBACK_STATUS NTAPI PostCreate(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects, PVOID context, FLT_POST_OPERATION_FLAGS flags)
{
    PFLT_FILE_NAME_INFORMATION name;
    ULONG_PTR disposition = data->IoStatus.Information;
    UNREFERENCED_PARAMETER(context);
    if ((flags & FLTFL_POST_OPERATION_DRAINING) || !NT_SUCCESS(data->IoStatus.Status) || !SysmonTsState.Started) return FLT_POSTOP_FINISHED_PROCESSING;
    if (SysmonTsIsServiceProcess((HANDLE)(ULONG_PTR)FltGetRequestorProcessId(data))) return FLT_POSTOP_FINISHED_PROCESSING;
    if (data->Iopb->MajorFunction == IRP_MJ_CREATE_NAMED_PIPE) {
        if ((name = FileName(data, FLT_FILE_NAME_OPENED)) != NULL) { EmitPipe(1, name); FltReleaseFileNameInformation(name); }
        return FLT_POSTOP_FINISHED_PROCESSING;
    }
    if (SysmonTsWants(SYSMONTS_RECORD_RAW_ACCESS_READ) && IsRawVolumeRead(data, objects->FileObject)) {
        EmitRawAccessRead(objects);
        return FLT_POSTOP_FINISHED_PROCESSING;
    }
    if (disposition != FILE_CREATED && disposition != FILE_OVERWRITTEN && disposition != FILE_SUPERSEDED && disposition != FILE_OPENED) {
        return FLT_POSTOP_FINISHED_PROCESSING;
    }
    name = FileName(data, FLT_FILE_NAME_NORMALIZED);
    if (name == NULL) name = FileName(data, FLT_FILE_NAME_OPENED);
    if (name == NULL) return FLT_POSTOP_FINISHED_PROCESSING;
    if (IsNamedPipe(&name->Name)) {
        if (disposition == FILE_OPENED) EmitPipe(2, name);
    } else if (disposition != FILE_OPENED) {
        FILE_BASIC_INFORMATION basic;
        SYSMONTS_STRING_ARG file;
        RtlZeroMemory(&basic, sizeof basic);
        FltQueryInformationFile(objects->Instance, objects->FileObject, &basic, sizeof basic, FileBasicInformation, NULL);
        file.Text = &name->Name;
        if (name->Stream.Length != 0) {
            SYSMONTS_FILE_STREAM_RECORD record;
            RtlZeroMemory(&record, sizeof record);
            record.Header.Version = SYSMONTS_RECORD_FILE_STREAM_VERSION;
            record.CreationTime = basic.CreationTime.QuadPart;
            file.FieldOffset = (ULONG)offsetof(SYSMONTS_FILE_STREAM_RECORD, TargetFilename);
            SysmonTsEmit(SYSMONTS_RECORD_FILE_STREAM, &record, sizeof record, &file, 1);
        } else {
            SYSMONTS_FILE_CREATE_RECORD record;
            RtlZeroMemory(&record, sizeof record);
            record.Header.Version = SYSMONTS_RECORD_FILE_CREATE_VERSION;
            record.CreationTime = basic.CreationTime.QuadPart;
            record.CreateDisposition = (uint32_t)disposition;
            file.FieldOffset = (ULONG)offsetof(SYSMONTS_FILE_CREATE_RECORD, TargetFilename);
            SysmonTsEmit(SYSMONTS_RECORD_FILE_CREATE, &record, sizeof record, &file, 1);
        }
    }
    FltReleaseFileNameInformation(name);
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static FLT_PREOP_CALLBACK_STATUS NTAPI PreSetInformation(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects, PVOID *context)
{
    FILE_INFORMATION_CLASS kind = data->Iopb->Parameters.SetFileInformation.FileInformationClass;
    PVOID info = data->Iopb->Parameters.SetFileInformation.InfoBuffer;
    PFLT_FILE_NAME_INFORMATION name;
    BOOLEAN deleting = FALSE;
    FLT_PREOP_CALLBACK_STATUS result = FLT_PREOP_SUCCESS_NO_CALLBACK;
    *context = NULL;
    if (!SysmonTsState.Started || info == NULL) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    if (SysmonTsIsServiceProcess((HANDLE)(ULONG_PTR)FltGetRequestorProcessId(data))) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    if (kind == FileDispositionInformation) deleting = ((PFILE_DISPOSITION_INFORMATION)info)->DeleteFile;
    else if (kind == (FILE_INFORMATION_CLASS)64 /* FileDispositionInformationEx */) deleting = (*(PULONG)info & 1u) != 0;
    else if (kind != FileBasicInformation || ((PFILE_BASIC_INFORMATION)info)->CreationTime.QuadPart <= 0) return FLT_PREOP_SUCCESS_NO_CALLBACK;

    name = FileName(data, FLT_FILE_NAME_NORMALIZED);
    if (name == NULL) return FLT_PREOP_SUCCESS_NO_CALLBACK;
    if (deleting) {
        SYSMONTS_FILE_DELETE_RECORD record;
        SYSMONTS_STRING_ARG file;
        FILE_STANDARD_INFORMATION standard;
        if (ShouldBlock(2, &name->Name)) {
            data->IoStatus.Status = STATUS_ACCESS_DENIED;
            data->IoStatus.Information = 0;
            result = FLT_PREOP_COMPLETE;
        }
        RtlZeroMemory(&record, sizeof record);
        RtlZeroMemory(&standard, sizeof standard);
        FltQueryInformationFile(objects->Instance, objects->FileObject, &standard, sizeof standard, FileStandardInformation, NULL);
        record.Header.Version = SYSMONTS_RECORD_FILE_DELETE_VERSION;
        record.FileSize = (uint64_t)standard.EndOfFile.QuadPart;
        record.Flags = result == FLT_PREOP_COMPLETE ? 4u : 0u;
        file.FieldOffset = (ULONG)offsetof(SYSMONTS_FILE_DELETE_RECORD, TargetFilename);
        file.Text = &name->Name;
        SysmonTsEmit(SYSMONTS_RECORD_FILE_DELETE, &record, sizeof record, &file, 1);
    } else {
        SYSMONTS_FILE_TIME_RECORD record;
        SYSMONTS_STRING_ARG file;
        FILE_BASIC_INFORMATION before;
        RtlZeroMemory(&record, sizeof record);
        RtlZeroMemory(&before, sizeof before);
        FltQueryInformationFile(objects->Instance, objects->FileObject, &before, sizeof before, FileBasicInformation, NULL);
        record.Header.Version = SYSMONTS_RECORD_FILE_TIME_VERSION;
        record.CreationTime = ((PFILE_BASIC_INFORMATION)info)->CreationTime.QuadPart;
        record.PreviousCreationTime = before.CreationTime.QuadPart;
        file.FieldOffset = (ULONG)offsetof(SYSMONTS_FILE_TIME_RECORD, TargetFilename);
        file.Text = &name->Name;
        if (record.CreationTime != record.PreviousCreationTime) SysmonTsEmit(SYSMONTS_RECORD_FILE_TIME, &record, sizeof record, &file, 1);
    }
    FltReleaseFileNameInformation(name);
    return result;
}

static NTSTATUS NTAPI FilterUnload(FLT_FILTER_UNLOAD_FLAGS flags)
{
    UNREFERENCED_PARAMETER(flags);
    SysmonTsUnregisterMinifilter();
    return STATUS_SUCCESS;
}

static const FLT_OPERATION_REGISTRATION Operations[] = {
    { IRP_MJ_CREATE, 0, NULL, PostCreate, NULL },
    { IRP_MJ_CREATE_NAMED_PIPE, 0, NULL, PostCreate, NULL },
    { IRP_MJ_SET_INFORMATION, 0, PreSetInformation, NULL, NULL },
    { IRP_MJ_OPERATION_END, 0, NULL, NULL, NULL },
};

NTSTATUS SysmonTsRegisterMinifilter(PDRIVER_OBJECT driver)
{
    FLT_REGISTRATION registration;
    NTSTATUS status;
    ULONG i;
    KeInitializeSpinLock(&Blocks.Lock);
    for (i = 0; i < BLOCK_SLOTS; i++) KeInitializeEvent(&Blocks.Slot[i].Decided, NotificationEvent, FALSE);
    RtlZeroMemory(&registration, sizeof registration);
    registration.Size = sizeof registration;
    registration.Version = FLT_REGISTRATION_VERSION;
    /* NPFS/MSFS support lets the same filter see named-pipe creates and connects (17/18). */
    registration.Flags = FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS;
    registration.OperationRegistration = Operations;
    registration.FilterUnloadCallback = FilterUnload;
    status = FltRegisterFilter(driver, &registration, &Filter);
    SysmonTsRecordResult(L"FltRegisterFilter", status);
    if (!NT_SUCCESS(status)) { Filter = NULL; return status; }
    status = FltStartFiltering(Filter);
    SysmonTsRecordResult(L"FltStartFiltering", status);
    if (!NT_SUCCESS(status)) {
        FltUnregisterFilter(Filter);
        Filter = NULL;
    }
    return status;
}

VOID SysmonTsUnregisterMinifilter(VOID)
{
    PFLT_FILTER filter = (PFLT_FILTER)InterlockedExchangePointer((PVOID volatile *)&Filter, NULL);
    if (filter != NULL) FltUnregisterFilter(filter);
}
