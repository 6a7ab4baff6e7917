/*
 * The file-system minifilter: file create (11), creation-time change (2), named stream (15),
 * delete (23/26, held until archived when the service asks), raw volume access (9), the optional
 * block decision (27/28) and, with NPFS support, named pipes (17/18).
 * Altitude SYSMONTS_ALTITUDE is in the FSFilter Activity Monitor range (360000-389999), next to
 * Sysmon's 385201 but distinct from it so both can run side by side.
 */
#include "sysmonts_driver.h"

static PFLT_FILTER Filter;

/* ---- held operations: file operations waiting for the service's answer ----
 * Two kinds share one table and one id space, each with its own bound so neither can starve the
 * other: block decisions (27/28), which the answer may deny, and deletions held until the service
 * has archived the file (event 23), which the answer only ever releases. Every wait ends with the
 * block timeout, so a stopped or slow service can never wedge the file system. */

#define BLOCK_SLOTS 32
/* Deletions held for archive copies at once; more are reported not held (SYSMONTS_DELETE_NOT_HELD)
   and are not archived. Also reported to the service in DRIVER_STATUS. */
#define ARCHIVE_HOLD_SLOTS 32
#define HOLD_SLOTS (BLOCK_SLOTS + ARCHIVE_HOLD_SLOTS)
#define NO_SLOT HOLD_SLOTS

typedef enum HOLD_KIND { HoldBlock, HoldArchive } HOLD_KIND;
static const LONG HoldLimit[2] = { BLOCK_SLOTS, ARCHIVE_HOLD_SLOTS };

static struct {
    KSPIN_LOCK Lock;
    volatile LONG64 NextId;
    LONG InUse[2];
    struct { ULONG64 RequestId; BOOLEAN InUse; UCHAR Kind; BOOLEAN Block; KEVENT Decided; } Slot[HOLD_SLOTS];
} Holds;

ULONG SysmonTsArchiveHoldSlots(VOID) { return ARCHIVE_HOLD_SLOTS; }

NTSTATUS SysmonTsBlockDecision(ULONG64 requestId, BOOLEAN block)
{
    KIRQL irql;
    ULONG i;
    NTSTATUS status = STATUS_NOT_FOUND;
    KeAcquireSpinLock(&Holds.Lock, &irql);
    for (i = 0; i < HOLD_SLOTS; i++) {
        if (Holds.Slot[i].InUse && Holds.Slot[i].RequestId == requestId) {
            /* Archiving never denies a deletion: only a block decision may. */
            Holds.Slot[i].Block = block && Holds.Slot[i].Kind == HoldBlock;
            KeSetEvent(&Holds.Slot[i].Decided, IO_NO_INCREMENT, FALSE);
            status = STATUS_SUCCESS;
            break;
        }
    }
    KeReleaseSpinLock(&Holds.Lock, irql);
    return status;
}

VOID SysmonTsReleaseBlockWaiters(VOID)
{
    ULONG i;
    for (i = 0; i < HOLD_SLOTS; i++) {
        if (Holds.Slot[i].InUse) KeSetEvent(&Holds.Slot[i].Decided, IO_NO_INCREMENT, FALSE);
    }
}

/* A free slot of this kind with a fresh id, or NO_SLOT when the kind's bound is reached. */
static ULONG AcquireHold(HOLD_KIND kind)
{
    KIRQL irql;
    ULONG i, slot = NO_SLOT;
    KeAcquireSpinLock(&Holds.Lock, &irql);
    if (Holds.InUse[kind] < HoldLimit[kind]) {
        for (i = 0; i < HOLD_SLOTS; i++) {
            if (!Holds.Slot[i].InUse) {
                slot = i;
                Holds.InUse[kind]++;
                Holds.Slot[i].InUse = TRUE;
                Holds.Slot[i].Kind = (UCHAR)kind;
                Holds.Slot[i].Block = FALSE;
                Holds.Slot[i].RequestId = (ULONG64)InterlockedIncrement64(&Holds.NextId);
                KeClearEvent(&Holds.Slot[i].Decided);
                break;
            }
        }
    }
    KeReleaseSpinLock(&Holds.Lock, irql);
    return slot;
}

/* Waits for the answer (only when the record asking for it was queued) and frees the slot;
   returns whether the operation is to be denied. */
static BOOLEAN AwaitHold(ULONG slot, BOOLEAN asked)
{
    LARGE_INTEGER timeout;
    KIRQL irql;
    BOOLEAN block = FALSE;
    timeout.QuadPart = -10000LL * SysmonTsState.BlockTimeoutMs;
    if (asked && KeWaitForSingleObject(&Holds.Slot[slot].Decided, Executive, KernelMode, FALSE, &timeout) == STATUS_SUCCESS) {
        block = Holds.Slot[slot].Block;
    }
    KeAcquireSpinLock(&Holds.Lock, &irql);
    Holds.InUse[Holds.Slot[slot].Kind]--;
    Holds.Slot[slot].InUse = FALSE;
    KeReleaseSpinLock(&Holds.Lock, irql);
    return block;
}

/* Asks the service whether to deny the operation (events 27/28); allows it when no slot is free
   or no answer comes in time. */
static BOOLEAN ShouldBlock(ULONG operation, PCUNICODE_STRING fileName)
{
    SYSMONTS_BLOCK_REQUEST_RECORD record;
    SYSMONTS_STRING_ARG name;
    ULONG slot;
    if (!SysmonTsWants(SYSMONTS_RECORD_BLOCK_REQUEST) || KeGetCurrentIrql() != PASSIVE_LEVEL) return FALSE;
    slot = AcquireHold(HoldBlock);
    if (slot == NO_SLOT) return FALSE;
    RtlZeroMemory(&record, sizeof record);
    record.Header.Version = SYSMONTS_RECORD_BLOCK_REQUEST_VERSION;
    record.RequestId = Holds.Slot[slot].RequestId;
    record.Operation = operation;
    record.TimeoutMs = (uint32_t)SysmonTsState.BlockTimeoutMs;
    name.FieldOffset = (ULONG)offsetof(SYSMONTS_BLOCK_REQUEST_RECORD, TargetFilename);
    name.Text = fileName;
    return AwaitHold(slot, SysmonTsEmit(SYSMONTS_RECORD_BLOCK_REQUEST, &record, sizeof record, &name, 1));
}

/* Events 23/26. When the service archives deletions (SET_CONFIG SYSMONTS_CONFIG_HOLD_DELETES) the
   caller's thread waits here, before the file system applies the deletion, until the service has
   copied the file and answered holdId, or the block timeout passes: the file still exists while
   the service reads it. A deletion a FileBlockShredding decision denied, a directory, and any
   deletion while the archive's bound is reached are not held. */
static VOID ReportDeletion(PCFLT_RELATED_OBJECTS objects, PCUNICODE_STRING fileName, ULONG flags)
{
    SYSMONTS_FILE_DELETE_RECORD record;
    SYSMONTS_STRING_ARG file;
    FILE_STANDARD_INFORMATION standard;
    ULONG slot = NO_SLOT;
    BOOLEAN queued;
    if (!SysmonTsWants(SYSMONTS_RECORD_FILE_DELETE)) return;
    RtlZeroMemory(&record, sizeof record);
    RtlZeroMemory(&standard, sizeof standard);
    FltQueryInformationFile(objects->Instance, objects->FileObject, &standard, sizeof standard, FileStandardInformation, NULL);
    if ((SysmonTsState.ConfigFlags & SYSMONTS_CONFIG_HOLD_DELETES) != 0 && (flags & SYSMONTS_DELETE_DENIED) == 0
        && !standard.Directory && KeGetCurrentIrql() == PASSIVE_LEVEL) {
        slot = AcquireHold(HoldArchive);
        flags |= slot == NO_SLOT ? SYSMONTS_DELETE_NOT_HELD : SYSMONTS_DELETE_HELD;
    }
    record.Header.Version = SYSMONTS_RECORD_FILE_DELETE_VERSION;
    record.FileSize = (uint64_t)standard.EndOfFile.QuadPart;
    record.Flags = flags;
    record.HoldId = slot == NO_SLOT ? 0 : Holds.Slot[slot].RequestId;
    file.FieldOffset = (ULONG)offsetof(SYSMONTS_FILE_DELETE_RECORD, TargetFilename);
    file.Text = fileName;
    queued = SysmonTsEmit(SYSMONTS_RECORD_FILE_DELETE, &record, sizeof record, &file, 1);
    if (slot != NO_SLOT) (VOID)AwaitHold(slot, queued);
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
    } else if (disposition == FILE_OPENED) {
        /* An existing file opened delete-on-close goes when this handle closes. It is reported (and
           held for the archive) here, while its content is still there: at cleanup the I/O manager
           gives no file-object flag to recognise it by, and a stream-handle context to carry the
           create option there is more machinery than this needs. Content written through the new
           handle before it closes is therefore not in the copy. A file created delete-on-close (a
           temporary file) is reported as created (11), not deleted, as before. */
        if ((data->Iopb->Parameters.Create.Options & FILE_DELETE_ON_CLOSE) != 0) ReportDeletion(objects, &name->Name, SYSMONTS_DELETE_DELETE_ON_CLOSE);
    } else {
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
        if (ShouldBlock(2, &name->Name)) {
            data->IoStatus.Status = STATUS_ACCESS_DENIED;
            data->IoStatus.Information = 0;
            result = FLT_PREOP_COMPLETE;
        }
        ReportDeletion(objects, &name->Name, result == FLT_PREOP_COMPLETE ? SYSMONTS_DELETE_DENIED : 0);
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
    KeInitializeSpinLock(&Holds.Lock);
    for (i = 0; i < HOLD_SLOTS; i++) KeInitializeEvent(&Holds.Slot[i].Decided, NotificationEvent, FALSE);
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
