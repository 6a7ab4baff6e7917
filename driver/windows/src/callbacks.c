/*
 * Process, thread, image, registry and handle callbacks: the kernel sources of Sysmon events
 * 1, 5, 8, 6/7, 12-14 and 10 (DESIGN.md, "How Sysmon itself works on Windows").
 */
#include "sysmonts_driver.h"

/* Exported by ntoskrnl; the WDK declares the last two, mingw-w64's ddk headers none of them. */
NTKERNELAPI NTSTATUS NTAPI PsGetProcessExitStatus(PEPROCESS process);
#ifndef SYSMONTS_WDK_BUILD
NTSYSAPI NTSTATUS NTAPI ZwQueryInformationThread(HANDLE thread, THREADINFOCLASS infoClass, PVOID info, ULONG length, PULONG returned);
NTKERNELAPI ULONG NTAPI PsGetProcessSessionId(PEPROCESS process);
#endif
#define THREAD_QUERY_SET_WIN32_START_ADDRESS ((THREADINFOCLASS)9)
#ifndef THREAD_QUERY_INFORMATION
#define THREAD_QUERY_INFORMATION 0x0040
#endif

typedef ULONG64 (NTAPI *PsGetProcessStartKeyRoutine)(PEPROCESS process);
typedef NTSTATUS (NTAPI *CmRegisterCallbackExRoutine)(PEX_CALLBACK_FUNCTION, PCUNICODE_STRING, PVOID, PVOID, PLARGE_INTEGER, PVOID);
typedef NTSTATUS (NTAPI *CmUnRegisterCallbackRoutine)(LARGE_INTEGER);

static PsGetProcessStartKeyRoutine GetProcessStartKey;
static CmUnRegisterCallbackRoutine UnregisterRegistryCallback;
static BOOLEAN ProcessRegistered, ThreadRegistered, ImageRegistered, RegistryRegistered;
static LARGE_INTEGER RegistryCookie;
static PVOID ObjectCallbackHandle;

#define STRING_FIELD(record, field) ((ULONG)offsetof(record, field))

static ULONG64 ProcessKey(PEPROCESS process)
{
    /* PsGetProcessStartKey (Windows 10 1507+) is the unique part of the ProcessGuid
       (spec/cli-and-output.md §7.1); older kernels and Wine lack it and the service derives one. */
    return GetProcessStartKey != NULL ? GetProcessStartKey(process) : 0;
}

/* Event 25, ProcessTampering. CreateInfo->FileObject is the file object the image section was
   created from. A process started the ordinary way maps a file opened for execute and read only;
   the tampering techniques documented publicly (process herpaderping, doppelganging, ghosting:
   github.com/jxy-s/herpaderping, "Process Ghosting" by Elastic Security) instead map a file they
   hold open for writing and then overwrite it or mark it for deletion before the first thread
   starts, which is when this routine runs. So: written through that file object
   (FO_FILE_MODIFIED), opened for write, or delete pending -> "Image is replaced"; the file cannot
   be opened again for reading because a handle denies read sharing -> "Image is locked for
   access" (Sysmon compares the image with its file and says so when it cannot read the file).
   A heuristic of our own: Sysmon's own comparison of mapped and on-disk content is not done. */
#define TAMPER_OPENED_FOR_WRITE 1u
#define TAMPER_WRITTEN 2u
#define TAMPER_DELETE_PENDING 4u
#define TAMPER_READ_REFUSED 8u

static BOOLEAN ImageReadRefused(PCUNICODE_STRING imageFileName)
{
    OBJECT_ATTRIBUTES attributes;
    IO_STATUS_BLOCK io;
    HANDLE file;
    NTSTATUS status;
    if (imageFileName == NULL || imageFileName->Length == 0 || KeGetCurrentIrql() != PASSIVE_LEVEL) return FALSE;
    InitializeObjectAttributes(&attributes, (PUNICODE_STRING)imageFileName, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    status = ZwCreateFile(&file, FILE_READ_DATA | SYNCHRONIZE, &attributes, &io, NULL, FILE_ATTRIBUTE_NORMAL,
        FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN, FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0);
    if (NT_SUCCESS(status)) ZwClose(file);
    return status == STATUS_SHARING_VIOLATION;
}

static VOID CheckImageTampering(PEPROCESS process, HANDLE processId, PPS_CREATE_NOTIFY_INFO createInfo)
{
    SYSMONTS_PROCESS_TAMPERING_RECORD record;
    SYSMONTS_STRING_ARG image;
    PFILE_OBJECT file = createInfo->FileObject;
    ULONG evidence = 0;
    if (!SysmonTsWants(SYSMONTS_RECORD_PROCESS_TAMPERING) || file == NULL) return;
    if (file->WriteAccess) evidence |= TAMPER_OPENED_FOR_WRITE;
    if ((file->Flags & FO_FILE_MODIFIED) != 0) evidence |= TAMPER_WRITTEN;
    if (file->DeletePending) evidence |= TAMPER_DELETE_PENDING;
    if (evidence == 0 && ImageReadRefused(createInfo->ImageFileName)) evidence |= TAMPER_READ_REFUSED;
    if (evidence == 0) return;
    RtlZeroMemory(&record, sizeof record);
    record.Header.Version = SYSMONTS_RECORD_PROCESS_TAMPERING_VERSION;
    record.ProcessId = (uint32_t)(ULONG_PTR)processId;
    record.TamperType = (evidence & TAMPER_READ_REFUSED) != 0 ? 2u : 1u;
    record.ProcessKey = ProcessKey(process);
    record.CreateTime = PsGetProcessCreateTimeQuadPart(process);
    record.Evidence = evidence;
    image.FieldOffset = STRING_FIELD(SYSMONTS_PROCESS_TAMPERING_RECORD, ImageFileName);
    image.Text = createInfo->ImageFileName;
    SysmonTsEmit(SYSMONTS_RECORD_PROCESS_TAMPERING, &record, sizeof record, &image, 1);
}

static VOID NTAPI OnProcess(PEPROCESS process, HANDLE processId, PPS_CREATE_NOTIFY_INFO createInfo)
{
    if (createInfo != NULL) {
        SYSMONTS_PROCESS_CREATE_RECORD record;
        SYSMONTS_STRING_ARG strings[2];
        if (!SysmonTsWants(SYSMONTS_RECORD_PROCESS_CREATE)) return;
        RtlZeroMemory(&record, sizeof record);
        record.Header.Version = SYSMONTS_RECORD_PROCESS_CREATE_VERSION;
        record.ProcessId = (uint32_t)(ULONG_PTR)processId;
        record.ParentProcessId = (uint32_t)(ULONG_PTR)createInfo->ParentProcessId;
        record.CreatingProcessId = (uint32_t)(ULONG_PTR)createInfo->CreatingThreadId.UniqueProcess;
        record.CreatingThreadId = (uint32_t)(ULONG_PTR)createInfo->CreatingThreadId.UniqueThread;
        record.ProcessKey = ProcessKey(process);
        record.CreateTime = PsGetProcessCreateTimeQuadPart(process);
        record.SessionId = PsGetProcessSessionId(process);
        record.Flags = createInfo->FileOpenNameAvailable ? 1u : 0u;
        /* User SID, integrity level and LogonId come from the service's token query (it has the
           process handle cache); the driver leaves them empty rather than guess. */
        strings[0].FieldOffset = STRING_FIELD(SYSMONTS_PROCESS_CREATE_RECORD, ImageFileName);
        strings[0].Text = createInfo->ImageFileName;
        strings[1].FieldOffset = STRING_FIELD(SYSMONTS_PROCESS_CREATE_RECORD, CommandLine);
        strings[1].Text = createInfo->CommandLine;
        SysmonTsEmit(SYSMONTS_RECORD_PROCESS_CREATE, &record, sizeof record, strings, 2);
        /* After the create record, so the service knows the process when the tampering arrives. */
        CheckImageTampering(process, processId, createInfo);
    } else {
        SYSMONTS_PROCESS_EXIT_RECORD record;
        if (!SysmonTsWants(SYSMONTS_RECORD_PROCESS_EXIT)) return;
        RtlZeroMemory(&record, sizeof record);
        record.Header.Version = SYSMONTS_RECORD_PROCESS_EXIT_VERSION;
        record.ProcessId = (uint32_t)(ULONG_PTR)processId;
        record.ExitStatus = (uint32_t)PsGetProcessExitStatus(process);
        record.ProcessKey = ProcessKey(process);
        SysmonTsEmit(SYSMONTS_RECORD_PROCESS_EXIT, &record, sizeof record, NULL, 0);
    }
}

static ULONG64 ThreadStartAddress(HANDLE threadId)
{
    PETHREAD thread;
    HANDLE handle;
    ULONG64 address = 0;
    if (!NT_SUCCESS(PsLookupThreadByThreadId(threadId, &thread))) return 0;
    if (NT_SUCCESS(ObOpenObjectByPointer(thread, OBJ_KERNEL_HANDLE, NULL, THREAD_QUERY_INFORMATION, *PsThreadType, KernelMode, &handle))) {
        PVOID start = NULL;
        if (NT_SUCCESS(ZwQueryInformationThread(handle, THREAD_QUERY_SET_WIN32_START_ADDRESS, &start, sizeof start, NULL))) address = (ULONG64)(ULONG_PTR)start;
        ZwClose(handle);
    }
    ObDereferenceObject(thread);
    return address;
}

static VOID NTAPI OnThread(HANDLE processId, HANDLE threadId, BOOLEAN create)
{
    SYSMONTS_THREAD_CREATE_RECORD record;
    /* Event 8 is about remote threads: the creator is not the process the thread runs in. The
       kernel (pid 4) starting threads in a new process is the normal first thread, not an
       injection. */
    if (!create || processId == PsGetCurrentProcessId() || PsGetCurrentProcessId() == (HANDLE)4) return;
    if (!SysmonTsWants(SYSMONTS_RECORD_THREAD_CREATE)) return;
    RtlZeroMemory(&record, sizeof record);
    record.Header.Version = SYSMONTS_RECORD_THREAD_CREATE_VERSION;
    record.TargetProcessId = (uint32_t)(ULONG_PTR)processId;
    record.NewThreadId = (uint32_t)(ULONG_PTR)threadId;
    record.StartAddress = ThreadStartAddress(threadId);
    SysmonTsEmit(SYSMONTS_RECORD_THREAD_CREATE, &record, sizeof record, NULL, 0);
}

static VOID NTAPI OnImage(PUNICODE_STRING fullImageName, HANDLE processId, PIMAGE_INFO imageInfo)
{
    SYSMONTS_IMAGE_LOAD_RECORD record;
    SYSMONTS_STRING_ARG name;
    if (!SysmonTsWants(SYSMONTS_RECORD_IMAGE_LOAD)) return;
    RtlZeroMemory(&record, sizeof record);
    record.Header.Version = SYSMONTS_RECORD_IMAGE_LOAD_VERSION;
    record.ProcessId = (uint32_t)(ULONG_PTR)processId;
    record.Flags = imageInfo->SystemModeImage ? 1u : 0u;
    record.ImageBase = (uint64_t)(ULONG_PTR)imageInfo->ImageBase;
    record.ImageSize = (uint64_t)imageInfo->ImageSize;
    name.FieldOffset = STRING_FIELD(SYSMONTS_IMAGE_LOAD_RECORD, ImageFileName);
    name.Text = fullImageName;
    SysmonTsEmit(SYSMONTS_RECORD_IMAGE_LOAD, &record, sizeof record, &name, 1);
}

/* ---- registry (events 12, 13, 14) ---- */

static const WCHAR HexDigits[] = L"0123456789abcdef";

static VOID AppendHex(PWCHAR out, ULONG *at, ULONG64 value, ULONG digits)
{
    ULONG i;
    for (i = 0; i < digits; i++) out[*at + i] = HexDigits[(value >> (4 * (digits - 1 - i))) & 0xF];
    *at += digits;
}

static VOID AppendText(PWCHAR out, ULONG *at, PCWSTR text)
{
    while (*text) out[(*at)++] = *text++;
}

/* Sysmon renders set-value data as "DWORD (0x0000002a)", "QWORD (0x00000000-0x0000002a)", the text
   of string values, or "Binary Data" (spec/events.md, RegistryEvent Details). */
static VOID RenderDetails(const REG_SET_VALUE_KEY_INFORMATION *info, PWCHAR out, ULONG capacityChars, PUNICODE_STRING details)
{
    ULONG at = 0;
    if (info->Type == REG_DWORD && info->DataSize >= 4) {
        AppendText(out, &at, L"DWORD (0x");
        AppendHex(out, &at, *(const ULONG UNALIGNED *)info->Data, 8);
        AppendText(out, &at, L")");
    } else if (info->Type == REG_QWORD && info->DataSize >= 8) {
        ULONG64 value = *(const ULONG64 UNALIGNED *)info->Data;
        AppendText(out, &at, L"QWORD (0x");
        AppendHex(out, &at, value >> 32, 8);
        AppendText(out, &at, L"-0x");
        AppendHex(out, &at, value & 0xFFFFFFFFu, 8);
        AppendText(out, &at, L")");
    } else if ((info->Type == REG_SZ || info->Type == REG_EXPAND_SZ) && info->Data != NULL) {
        ULONG chars = min(info->DataSize / sizeof(WCHAR), capacityChars);
        const WCHAR *text = (const WCHAR *)info->Data;
        while (at < chars && text[at] != 0) { out[at] = text[at]; at++; }
    } else {
        AppendText(out, &at, L"Binary Data");
    }
    details->Buffer = out;
    details->Length = details->MaximumLength = (USHORT)(at * sizeof(WCHAR));
}

/* The registry path of a key object plus an optional "\value" suffix, in pool memory. */
static PUNICODE_STRING KeyPath(PVOID keyObject, PCUNICODE_STRING valueName)
{
    ULONG length = 0, capacity;
    POBJECT_NAME_INFORMATION name;
    ObQueryNameString(keyObject, NULL, 0, &length);
    if (length == 0) return NULL;
    capacity = length + (valueName != NULL ? valueName->Length + sizeof(WCHAR) : 0);
    name = (POBJECT_NAME_INFORMATION)SysmonTsAllocate(capacity);
    if (name == NULL) return NULL;
    if (!NT_SUCCESS(ObQueryNameString(keyObject, name, length, &length))) {
        SysmonTsFree(name);
        return NULL;
    }
    name->Name.MaximumLength = (USHORT)(capacity - sizeof *name);
    if (valueName != NULL) {
        RtlAppendUnicodeToString(&name->Name, L"\\");
        RtlAppendUnicodeStringToString(&name->Name, valueName);
    }
    return &name->Name;
}

static VOID EmitRegistry(ULONG operation, PVOID keyObject, PCUNICODE_STRING valueName, PCUNICODE_STRING details, const REG_SET_VALUE_KEY_INFORMATION *set)
{
    SYSMONTS_REGISTRY_RECORD record;
    SYSMONTS_STRING_ARG strings[2];
    PUNICODE_STRING target = KeyPath(keyObject, valueName);
    RtlZeroMemory(&record, sizeof record);
    record.Header.Version = SYSMONTS_RECORD_REGISTRY_VERSION;
    record.Operation = operation;
    if (set != NULL) { record.ValueType = set->Type; record.DataLength = set->DataSize; }
    strings[0].FieldOffset = STRING_FIELD(SYSMONTS_REGISTRY_RECORD, TargetObject);
    strings[0].Text = target;
    strings[1].FieldOffset = STRING_FIELD(SYSMONTS_REGISTRY_RECORD, Details);
    strings[1].Text = details;
    SysmonTsEmit(SYSMONTS_RECORD_REGISTRY, &record, sizeof record, strings, 2);
    /* KeyPath's string lives inside its OBJECT_NAME_INFORMATION allocation. */
    if (target != NULL) SysmonTsFree(CONTAINING_RECORD(target, OBJECT_NAME_INFORMATION, Name));
}

static NTSTATUS NTAPI OnRegistry(PVOID context, PVOID argument1, PVOID argument2)
{
    REG_NOTIFY_CLASS kind = (REG_NOTIFY_CLASS)(ULONG_PTR)argument1;
    UNREFERENCED_PARAMETER(context);
    if (argument2 == NULL || !SysmonTsWants(SYSMONTS_RECORD_REGISTRY) || SysmonTsIsServiceProcess(PsGetCurrentProcessId())) return STATUS_SUCCESS;
    switch (kind) {
    case RegNtPostCreateKeyEx: {
        PREG_POST_OPERATION_INFORMATION post = (PREG_POST_OPERATION_INFORMATION)argument2;
        PREG_CREATE_KEY_INFORMATION pre = (PREG_CREATE_KEY_INFORMATION)post->PreInformation;
        if (NT_SUCCESS(post->Status) && post->Object != NULL && pre != NULL && pre->Disposition != NULL && *pre->Disposition == REG_CREATED_NEW_KEY) {
            EmitRegistry(1, post->Object, NULL, NULL, NULL);
        }
        break;
    }
    case RegNtPreDeleteKey: {
        PREG_DELETE_KEY_INFORMATION info = (PREG_DELETE_KEY_INFORMATION)argument2;
        EmitRegistry(2, info->Object, NULL, NULL, NULL);
        break;
    }
    case RegNtPostSetValueKey: {
        PREG_POST_OPERATION_INFORMATION post = (PREG_POST_OPERATION_INFORMATION)argument2;
        PREG_SET_VALUE_KEY_INFORMATION set = (PREG_SET_VALUE_KEY_INFORMATION)post->PreInformation;
        if (NT_SUCCESS(post->Status) && set != NULL) {
            WCHAR buffer[260];
            UNICODE_STRING details;
            RenderDetails(set, buffer, RTL_NUMBER_OF(buffer), &details);
            EmitRegistry(3, set->Object, set->ValueName, &details, set);
        }
        break;
    }
    case RegNtPreDeleteValueKey: {
        PREG_DELETE_VALUE_KEY_INFORMATION info = (PREG_DELETE_VALUE_KEY_INFORMATION)argument2;
        EmitRegistry(4, info->Object, info->ValueName, NULL, NULL);
        break;
    }
    case RegNtPreRenameKey: {
        PREG_RENAME_KEY_INFORMATION info = (PREG_RENAME_KEY_INFORMATION)argument2;
        EmitRegistry(5, info->Object, NULL, info->NewName, NULL);
        break;
    }
    default:
        break;
    }
    return STATUS_SUCCESS;
}

/* ---- process handle access (event 10) ---- */

static OB_PREOP_CALLBACK_STATUS NTAPI OnProcessHandle(PVOID context, POB_PRE_OPERATION_INFORMATION info)
{
    SYSMONTS_PROCESS_ACCESS_RECORD record;
    SYSMONTS_STRING_ARG trace;
    UNICODE_STRING traceText;
    PVOID frames[24];
    WCHAR text[24 * 17];
    ULONG count, i, at = 0;
    HANDLE target;
    UNREFERENCED_PARAMETER(context);
    if (info->KernelHandle || !SysmonTsWants(SYSMONTS_RECORD_PROCESS_ACCESS)) return OB_PREOP_SUCCESS;
    target = PsGetProcessId((PEPROCESS)info->Object);
    if (target == PsGetCurrentProcessId()) return OB_PREOP_SUCCESS;
    RtlZeroMemory(&record, sizeof record);
    record.Header.Version = SYSMONTS_RECORD_PROCESS_ACCESS_VERSION;
    record.TargetProcessId = (uint32_t)(ULONG_PTR)target;
    record.Operation = info->Operation;
    record.GrantedAccess = info->Operation == OB_OPERATION_HANDLE_CREATE
        ? info->Parameters->CreateHandleInformation.OriginalDesiredAccess
        : info->Parameters->DuplicateHandleInformation.OriginalDesiredAccess;
    /* Return addresses only; the service maps them to module+offset (CallTrace) from its image
       load cache, which is cheaper than resolving modules in the kernel. */
    count = RtlWalkFrameChain(frames, RTL_NUMBER_OF(frames), 0);
    count += RtlWalkFrameChain(frames + count, RTL_NUMBER_OF(frames) - count, 1);
    for (i = 0; i < count; i++) {
        if (i != 0) text[at++] = L'|';
        AppendHex(text, &at, (ULONG64)(ULONG_PTR)frames[i], 16);
    }
    record.FrameCount = count;
    traceText.Buffer = text;
    traceText.Length = traceText.MaximumLength = (USHORT)(at * sizeof(WCHAR));
    trace.FieldOffset = STRING_FIELD(SYSMONTS_PROCESS_ACCESS_RECORD, CallTrace);
    trace.Text = &traceText;
    SysmonTsEmit(SYSMONTS_RECORD_PROCESS_ACCESS, &record, sizeof record, &trace, 1);
    return OB_PREOP_SUCCESS;
}

ULONG SysmonTsRegisterCallbacks(PDRIVER_OBJECT driver)
{
    ULONG live = 0;
    NTSTATUS status;
    CmRegisterCallbackExRoutine registerRegistry;
    OB_OPERATION_REGISTRATION operation;
    OB_CALLBACK_REGISTRATION registration;
    UNICODE_STRING altitude;

    GetProcessStartKey = (PsGetProcessStartKeyRoutine)SysmonTsResolve(L"PsGetProcessStartKey");

    status = PsSetCreateProcessNotifyRoutineEx(OnProcess, FALSE);
    SysmonTsRecordResult(L"PsSetCreateProcessNotifyRoutineEx", status);
    if (NT_SUCCESS(status)) { ProcessRegistered = TRUE; live |= SYSMONTS_CALLBACK_PROCESS; }

    status = PsSetCreateThreadNotifyRoutine(OnThread);
    SysmonTsRecordResult(L"PsSetCreateThreadNotifyRoutine", status);
    if (NT_SUCCESS(status)) { ThreadRegistered = TRUE; live |= SYSMONTS_CALLBACK_THREAD; }

    status = PsSetLoadImageNotifyRoutine(OnImage);
    SysmonTsRecordResult(L"PsSetLoadImageNotifyRoutine", status);
    if (NT_SUCCESS(status)) { ImageRegistered = TRUE; live |= SYSMONTS_CALLBACK_IMAGE; }

    /* Resolved at run time: a static import of CmRegisterCallbackEx keeps the driver from loading
       where the kernel lacks it (Wine does), taking every other sensor down with it. */
    registerRegistry = (CmRegisterCallbackExRoutine)SysmonTsResolve(L"CmRegisterCallbackEx");
    UnregisterRegistryCallback = (CmUnRegisterCallbackRoutine)SysmonTsResolve(L"CmUnRegisterCallback");
    RtlInitUnicodeString(&altitude, SYSMONTS_ALTITUDE);
    status = (registerRegistry != NULL && UnregisterRegistryCallback != NULL)
        ? registerRegistry(OnRegistry, &altitude, driver, NULL, &RegistryCookie, NULL)
        : STATUS_PROCEDURE_NOT_FOUND;
    SysmonTsRecordResult(L"CmRegisterCallbackEx", status);
    if (NT_SUCCESS(status)) { RegistryRegistered = TRUE; live |= SYSMONTS_CALLBACK_REGISTRY; }

    RtlZeroMemory(&operation, sizeof operation);
    operation.ObjectType = PsProcessType;
    operation.Operations = OB_OPERATION_HANDLE_CREATE | OB_OPERATION_HANDLE_DUPLICATE;
    operation.PreOperation = OnProcessHandle;
    RtlZeroMemory(&registration, sizeof registration);
    registration.Version = OB_FLT_REGISTRATION_VERSION;
    registration.OperationRegistrationCount = 1;
    registration.Altitude = altitude;
    registration.OperationRegistration = &operation;
    status = ObRegisterCallbacks(&registration, &ObjectCallbackHandle);
    SysmonTsRecordResult(L"ObRegisterCallbacks", status);
    if (NT_SUCCESS(status)) live |= SYSMONTS_CALLBACK_OBJECT;
    else ObjectCallbackHandle = NULL;
    return live;
}

VOID SysmonTsUnregisterCallbacks(VOID)
{
    if (ObjectCallbackHandle != NULL) ObUnRegisterCallbacks(ObjectCallbackHandle);
    ObjectCallbackHandle = NULL;
    if (RegistryRegistered) UnregisterRegistryCallback(RegistryCookie);
    if (ImageRegistered) PsRemoveLoadImageNotifyRoutine(OnImage);
    if (ThreadRegistered) PsRemoveCreateThreadNotifyRoutine(OnThread);
    if (ProcessRegistered) PsSetCreateProcessNotifyRoutineEx(OnProcess, TRUE);
    RegistryRegistered = ImageRegistered = ThreadRegistered = ProcessRegistered = FALSE;
}
