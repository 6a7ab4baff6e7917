/*
 * sysmonts_records.h - records and control codes shared by the SysmonTs driver and service.
 *
 * GENERATED from engine/src/sensor/windows/driver-records.ts by driver/windows/generate-header.mjs.
 * Do not edit: change the TypeScript layout and regenerate; a unit test fails while they differ.
 *
 * Packed, little-endian. Every record begins with SYSMONTS_RECORD_HEADER; strings are
 * {offset from record start, length in bytes} of UTF-16LE text without terminator, stored after
 * the fixed fields. Records in a READ buffer start on SYSMONTS_RECORD_ALIGNMENT boundaries.
 * A newer driver may append fixed fields and raise a record's Version; readers ignore the rest.
 */
#ifndef SYSMONTS_RECORDS_H
#define SYSMONTS_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__cplusplus)
#define SYSMONTS_STATIC_ASSERT(expr, text) static_assert(expr, text)
#else
#define SYSMONTS_STATIC_ASSERT(expr, text) _Static_assert(expr, text)
#endif

#define SYSMONTS_PROTOCOL_VERSION 1u
#define SYSMONTS_RECORD_ALIGNMENT 8u
#define SYSMONTS_DEVICE_NAME L"\\Device\\SysmonTs"
#define SYSMONTS_DOS_DEVICE_NAME L"\\DosDevices\\SysmonTs"
#define SYSMONTS_USER_DEVICE_PATH L"\\\\.\\SysmonTs"

/* CTL_CODE(FILE_DEVICE_UNKNOWN, function, method, FILE_READ_DATA | FILE_WRITE_DATA) */
#define IOCTL_SYSMONTS_START 0x22E000u /* in: SYSMONTS_START_REQUEST; begins queueing records */
#define IOCTL_SYSMONTS_READ 0x22E006u /* out (METHOD_OUT_DIRECT): whole records, 8-byte aligned; blocks until at least one is queued */
#define IOCTL_SYSMONTS_SET_CONFIG 0x22E008u /* in: SYSMONTS_CONFIG_REQUEST; which record types to produce */
#define IOCTL_SYSMONTS_BLOCK_DECISION 0x22E00Cu /* in: SYSMONTS_BLOCK_DECISION_REQUEST; answers a BLOCK_REQUEST record */

#define SYSMONTS_RECORD_PROCESS_CREATE 1u /* PsSetCreateProcessNotifyRoutineEx with CreateInfo != NULL (event 1) */
#define SYSMONTS_RECORD_PROCESS_CREATE_VERSION 1u
#define SYSMONTS_RECORD_PROCESS_EXIT 2u /* PsSetCreateProcessNotifyRoutineEx with CreateInfo == NULL (event 5) */
#define SYSMONTS_RECORD_PROCESS_EXIT_VERSION 1u
#define SYSMONTS_RECORD_THREAD_CREATE 3u /* PsSetCreateThreadNotifyRoutine, only when the creator is another process (event 8, remote threads) */
#define SYSMONTS_RECORD_THREAD_CREATE_VERSION 1u
#define SYSMONTS_RECORD_IMAGE_LOAD 4u /* PsSetLoadImageNotifyRoutine (event 6 when SystemModeImage, else event 7) */
#define SYSMONTS_RECORD_IMAGE_LOAD_VERSION 1u
#define SYSMONTS_RECORD_REGISTRY 5u /* CmRegisterCallbackEx post-operations (events 12, 13, 14) */
#define SYSMONTS_RECORD_REGISTRY_VERSION 1u
#define SYSMONTS_RECORD_PROCESS_ACCESS 6u /* ObRegisterCallbacks pre-operation on PsProcessType handles (event 10) */
#define SYSMONTS_RECORD_PROCESS_ACCESS_VERSION 1u
#define SYSMONTS_RECORD_FILE_CREATE 7u /* minifilter post-IRP_MJ_CREATE that created or overwrote a file (event 11) */
#define SYSMONTS_RECORD_FILE_CREATE_VERSION 1u
#define SYSMONTS_RECORD_FILE_DELETE 8u /* minifilter pre-set-disposition, or post-create of an existing file opened delete-on-close (events 23/26); archival runs in the service */
#define SYSMONTS_RECORD_FILE_DELETE_VERSION 2u
#define SYSMONTS_RECORD_FILE_TIME 9u /* minifilter pre-IRP_MJ_SET_INFORMATION FileBasicInformation changing CreationTime (event 2) */
#define SYSMONTS_RECORD_FILE_TIME_VERSION 1u
#define SYSMONTS_RECORD_FILE_STREAM 10u /* minifilter post-create of a named stream, e.g. Zone.Identifier (event 15) */
#define SYSMONTS_RECORD_FILE_STREAM_VERSION 1u
#define SYSMONTS_RECORD_PIPE 11u /* IRP_MJ_CREATE_NAMED_PIPE (event 17) and IRP_MJ_CREATE on \Device\NamedPipe (event 18) */
#define SYSMONTS_RECORD_PIPE_VERSION 1u
#define SYSMONTS_RECORD_BLOCK_REQUEST 12u /* the minifilter holds a create/delete and asks the service (events 27/28); answered with IOCTL_SYSMONTS_BLOCK_DECISION */
#define SYSMONTS_RECORD_BLOCK_REQUEST_VERSION 1u
#define SYSMONTS_RECORD_RECORDS_LOST 13u /* the non-paged ring was full: this many records were dropped since the last such record */
#define SYSMONTS_RECORD_RECORDS_LOST_VERSION 1u
#define SYSMONTS_RECORD_DRIVER_STATUS 14u /* sent once after IOCTL_SYSMONTS_START: what DriverEntry registered */
#define SYSMONTS_RECORD_DRIVER_STATUS_VERSION 1u
#define SYSMONTS_RECORD_RAW_ACCESS_READ 15u /* minifilter pre-IRP_MJ_READ on a volume opened for direct access (DASD: FO_VOLUME_OPEN, no file name), once per file object (event 9) */
#define SYSMONTS_RECORD_RAW_ACCESS_READ_VERSION 1u
#define SYSMONTS_RECORD_PROCESS_TAMPERING 16u /* process-create callback: the image file no longer matches what was mapped (event 25) */
#define SYSMONTS_RECORD_PROCESS_TAMPERING_VERSION 1u

#define SYSMONTS_CALLBACK_PROCESS 1u
#define SYSMONTS_CALLBACK_THREAD 2u
#define SYSMONTS_CALLBACK_IMAGE 4u
#define SYSMONTS_CALLBACK_REGISTRY 8u
#define SYSMONTS_CALLBACK_OBJECT 16u
#define SYSMONTS_CALLBACK_MINIFILTER 32u
#define SYSMONTS_DELETE_EXECUTABLE 1u
#define SYSMONTS_DELETE_DELETE_ON_CLOSE 2u
#define SYSMONTS_DELETE_DENIED 4u
#define SYSMONTS_DELETE_HELD 8u
#define SYSMONTS_DELETE_NOT_HELD 16u
#define SYSMONTS_CONFIG_HOLD_DELETES 1u

#pragma pack(push, 1)

/* A UTF-16LE string stored in the same record. Length 0 means empty (Offset is then 0). */
typedef struct SYSMONTS_STRING {
    uint16_t Offset; /* bytes from the start of the record */
    uint16_t Length; /* bytes, no terminator */
} SYSMONTS_STRING;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_STRING) == 4, "SYSMONTS_STRING size");

/* Common to every record. */
typedef struct SYSMONTS_RECORD_HEADER {
    uint16_t Size; /* +0: bytes in this record, strings included */
    uint16_t Type; /* +2: SYSMONTS_RECORD_* */
    uint32_t Version; /* +4: layout version of this record type */
    int64_t Timestamp; /* +8: when it happened, FILETIME (100 ns since 1601-01-01 UTC) */
    uint32_t Pid; /* +16: process that acted (the caller) */
    uint32_t Tid; /* +20: thread that acted */
} SYSMONTS_RECORD_HEADER;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_RECORD_HEADER) == 24, "SYSMONTS_RECORD_HEADER size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RECORD_HEADER, Size) == 0, "SYSMONTS_RECORD_HEADER.Size offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RECORD_HEADER, Type) == 2, "SYSMONTS_RECORD_HEADER.Type offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RECORD_HEADER, Version) == 4, "SYSMONTS_RECORD_HEADER.Version offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RECORD_HEADER, Timestamp) == 8, "SYSMONTS_RECORD_HEADER.Timestamp offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RECORD_HEADER, Pid) == 16, "SYSMONTS_RECORD_HEADER.Pid offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RECORD_HEADER, Tid) == 20, "SYSMONTS_RECORD_HEADER.Tid offset");

/* PsSetCreateProcessNotifyRoutineEx with CreateInfo != NULL (event 1) */
typedef struct SYSMONTS_PROCESS_CREATE_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t ProcessId; /* +24: the new process */
    uint32_t ParentProcessId; /* +28: CreateInfo->ParentProcessId */
    uint32_t CreatingProcessId; /* +32: CreateInfo->CreatingThreadId.UniqueProcess */
    uint32_t CreatingThreadId; /* +36: CreateInfo->CreatingThreadId.UniqueThread */
    uint64_t ProcessKey; /* +40: PsGetProcessStartKey: the unique part of the ProcessGuid (spec/cli-and-output.md §7.1) */
    int64_t CreateTime; /* +48: PsGetProcessCreateTimeQuadPart, FILETIME */
    uint32_t SessionId; /* +56: terminal session of the new process */
    uint32_t Flags; /* +60: bit 0: CreateInfo->FileOpenNameAvailable */
    uint64_t AuthenticationId; /* +64: LUID of the token (LogonId) */
    SYSMONTS_STRING ImageFileName; /* +72: CreateInfo->ImageFileName, NT path */
    SYSMONTS_STRING CommandLine; /* +76: CreateInfo->CommandLine */
    SYSMONTS_STRING UserSid; /* +80: token user as an S-1-... string */
    SYSMONTS_STRING IntegrityLevel; /* +84: token integrity RID as text, e.g. High */
} SYSMONTS_PROCESS_CREATE_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_PROCESS_CREATE_RECORD) == 88, "SYSMONTS_PROCESS_CREATE_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, ProcessId) == 24, "SYSMONTS_PROCESS_CREATE_RECORD.ProcessId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, ParentProcessId) == 28, "SYSMONTS_PROCESS_CREATE_RECORD.ParentProcessId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, CreatingProcessId) == 32, "SYSMONTS_PROCESS_CREATE_RECORD.CreatingProcessId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, CreatingThreadId) == 36, "SYSMONTS_PROCESS_CREATE_RECORD.CreatingThreadId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, ProcessKey) == 40, "SYSMONTS_PROCESS_CREATE_RECORD.ProcessKey offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, CreateTime) == 48, "SYSMONTS_PROCESS_CREATE_RECORD.CreateTime offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, SessionId) == 56, "SYSMONTS_PROCESS_CREATE_RECORD.SessionId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, Flags) == 60, "SYSMONTS_PROCESS_CREATE_RECORD.Flags offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, AuthenticationId) == 64, "SYSMONTS_PROCESS_CREATE_RECORD.AuthenticationId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, ImageFileName) == 72, "SYSMONTS_PROCESS_CREATE_RECORD.ImageFileName offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, CommandLine) == 76, "SYSMONTS_PROCESS_CREATE_RECORD.CommandLine offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, UserSid) == 80, "SYSMONTS_PROCESS_CREATE_RECORD.UserSid offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_CREATE_RECORD, IntegrityLevel) == 84, "SYSMONTS_PROCESS_CREATE_RECORD.IntegrityLevel offset");

/* PsSetCreateProcessNotifyRoutineEx with CreateInfo == NULL (event 5) */
typedef struct SYSMONTS_PROCESS_EXIT_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t ProcessId; /* +24: the exiting process */
    uint32_t ExitStatus; /* +28: PsGetProcessExitStatus */
    uint64_t ProcessKey; /* +32: PsGetProcessStartKey */
} SYSMONTS_PROCESS_EXIT_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_PROCESS_EXIT_RECORD) == 40, "SYSMONTS_PROCESS_EXIT_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_EXIT_RECORD, ProcessId) == 24, "SYSMONTS_PROCESS_EXIT_RECORD.ProcessId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_EXIT_RECORD, ExitStatus) == 28, "SYSMONTS_PROCESS_EXIT_RECORD.ExitStatus offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_EXIT_RECORD, ProcessKey) == 32, "SYSMONTS_PROCESS_EXIT_RECORD.ProcessKey offset");

/* PsSetCreateThreadNotifyRoutine, only when the creator is another process (event 8, remote threads) */
typedef struct SYSMONTS_THREAD_CREATE_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t TargetProcessId; /* +24: process the thread was created in */
    uint32_t NewThreadId; /* +28: the new thread */
    uint64_t StartAddress; /* +32: Win32StartAddress of the new thread */
} SYSMONTS_THREAD_CREATE_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_THREAD_CREATE_RECORD) == 40, "SYSMONTS_THREAD_CREATE_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_THREAD_CREATE_RECORD, TargetProcessId) == 24, "SYSMONTS_THREAD_CREATE_RECORD.TargetProcessId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_THREAD_CREATE_RECORD, NewThreadId) == 28, "SYSMONTS_THREAD_CREATE_RECORD.NewThreadId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_THREAD_CREATE_RECORD, StartAddress) == 32, "SYSMONTS_THREAD_CREATE_RECORD.StartAddress offset");

/* PsSetLoadImageNotifyRoutine (event 6 when SystemModeImage, else event 7) */
typedef struct SYSMONTS_IMAGE_LOAD_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t ProcessId; /* +24: process the image was mapped into; 0 for drivers */
    uint32_t Flags; /* +28: bit 0: SystemModeImage (a driver), bit 1: signed (ImageSignatureLevel > 0) */
    uint64_t ImageBase; /* +32: ImageInfo->ImageBase */
    uint64_t ImageSize; /* +40: ImageInfo->ImageSize */
    SYSMONTS_STRING ImageFileName; /* +48: FullImageName, NT path */
} SYSMONTS_IMAGE_LOAD_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_IMAGE_LOAD_RECORD) == 52, "SYSMONTS_IMAGE_LOAD_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_IMAGE_LOAD_RECORD, ProcessId) == 24, "SYSMONTS_IMAGE_LOAD_RECORD.ProcessId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_IMAGE_LOAD_RECORD, Flags) == 28, "SYSMONTS_IMAGE_LOAD_RECORD.Flags offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_IMAGE_LOAD_RECORD, ImageBase) == 32, "SYSMONTS_IMAGE_LOAD_RECORD.ImageBase offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_IMAGE_LOAD_RECORD, ImageSize) == 40, "SYSMONTS_IMAGE_LOAD_RECORD.ImageSize offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_IMAGE_LOAD_RECORD, ImageFileName) == 48, "SYSMONTS_IMAGE_LOAD_RECORD.ImageFileName offset");

/* CmRegisterCallbackEx post-operations (events 12, 13, 14) */
typedef struct SYSMONTS_REGISTRY_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t Operation; /* +24: SYSMONTS_REG_OP_*: 1 create key, 2 delete key, 3 set value, 4 delete value, 5 rename key */
    uint32_t ValueType; /* +28: REG_* type of a set value */
    uint32_t DataLength; /* +32: bytes of data set */
    uint32_t Reserved; /* +36: zero */
    SYSMONTS_STRING TargetObject; /* +40: \REGISTRY\MACHINE\... key path, with \value for value operations */
    SYSMONTS_STRING Details; /* +44: set value: the data as Sysmon renders it (DWORD (0x...), QWORD, text); rename: the new name */
} SYSMONTS_REGISTRY_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_REGISTRY_RECORD) == 48, "SYSMONTS_REGISTRY_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_REGISTRY_RECORD, Operation) == 24, "SYSMONTS_REGISTRY_RECORD.Operation offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_REGISTRY_RECORD, ValueType) == 28, "SYSMONTS_REGISTRY_RECORD.ValueType offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_REGISTRY_RECORD, DataLength) == 32, "SYSMONTS_REGISTRY_RECORD.DataLength offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_REGISTRY_RECORD, Reserved) == 36, "SYSMONTS_REGISTRY_RECORD.Reserved offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_REGISTRY_RECORD, TargetObject) == 40, "SYSMONTS_REGISTRY_RECORD.TargetObject offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_REGISTRY_RECORD, Details) == 44, "SYSMONTS_REGISTRY_RECORD.Details offset");

/* ObRegisterCallbacks pre-operation on PsProcessType handles (event 10) */
typedef struct SYSMONTS_PROCESS_ACCESS_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t TargetProcessId; /* +24: the process being opened */
    uint32_t GrantedAccess; /* +28: DesiredAccess of the handle operation */
    uint32_t Operation; /* +32: 1 OB_OPERATION_HANDLE_CREATE, 2 OB_OPERATION_HANDLE_DUPLICATE */
    uint32_t FrameCount; /* +36: number of return addresses in callTrace */
    SYSMONTS_STRING CallTrace; /* +40: RtlWalkFrameChain return addresses as |-separated hex, resolved to modules by the service */
} SYSMONTS_PROCESS_ACCESS_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_PROCESS_ACCESS_RECORD) == 44, "SYSMONTS_PROCESS_ACCESS_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_ACCESS_RECORD, TargetProcessId) == 24, "SYSMONTS_PROCESS_ACCESS_RECORD.TargetProcessId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_ACCESS_RECORD, GrantedAccess) == 28, "SYSMONTS_PROCESS_ACCESS_RECORD.GrantedAccess offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_ACCESS_RECORD, Operation) == 32, "SYSMONTS_PROCESS_ACCESS_RECORD.Operation offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_ACCESS_RECORD, FrameCount) == 36, "SYSMONTS_PROCESS_ACCESS_RECORD.FrameCount offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_ACCESS_RECORD, CallTrace) == 40, "SYSMONTS_PROCESS_ACCESS_RECORD.CallTrace offset");

/* minifilter post-IRP_MJ_CREATE that created or overwrote a file (event 11) */
typedef struct SYSMONTS_FILE_CREATE_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    int64_t CreationTime; /* +24: FILETIME of the file's creation time */
    uint32_t CreateDisposition; /* +32: FILE_CREATED, FILE_OVERWRITTEN, FILE_SUPERSEDED */
    uint32_t Reserved; /* +36: zero */
    SYSMONTS_STRING TargetFilename; /* +40: normalized file name */
} SYSMONTS_FILE_CREATE_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_FILE_CREATE_RECORD) == 44, "SYSMONTS_FILE_CREATE_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_CREATE_RECORD, CreationTime) == 24, "SYSMONTS_FILE_CREATE_RECORD.CreationTime offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_CREATE_RECORD, CreateDisposition) == 32, "SYSMONTS_FILE_CREATE_RECORD.CreateDisposition offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_CREATE_RECORD, Reserved) == 36, "SYSMONTS_FILE_CREATE_RECORD.Reserved offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_CREATE_RECORD, TargetFilename) == 40, "SYSMONTS_FILE_CREATE_RECORD.TargetFilename offset");

/* minifilter pre-set-disposition, or post-create of an existing file opened delete-on-close (events 23/26); archival runs in the service */
typedef struct SYSMONTS_FILE_DELETE_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint64_t FileSize; /* +24: end of file at deletion */
    uint32_t Flags; /* +32: SYSMONTS_DELETE_*: 1 executable content (MZ header), 2 delete-on-close, 4 denied by a FileBlockShredding decision, 8 held for the archive (answer holdId), 16 not held: the hold table was full */
    uint32_t Reserved; /* +36: zero */
    SYSMONTS_STRING TargetFilename; /* +40: normalized file name */
    uint64_t HoldId; /* +44: version 2: with flag 8, the deletion waits until IOCTL_SYSMONTS_BLOCK_DECISION answers this id (or the block timeout passes); 0 otherwise */
} SYSMONTS_FILE_DELETE_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_FILE_DELETE_RECORD) == 52, "SYSMONTS_FILE_DELETE_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_DELETE_RECORD, FileSize) == 24, "SYSMONTS_FILE_DELETE_RECORD.FileSize offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_DELETE_RECORD, Flags) == 32, "SYSMONTS_FILE_DELETE_RECORD.Flags offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_DELETE_RECORD, Reserved) == 36, "SYSMONTS_FILE_DELETE_RECORD.Reserved offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_DELETE_RECORD, TargetFilename) == 40, "SYSMONTS_FILE_DELETE_RECORD.TargetFilename offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_DELETE_RECORD, HoldId) == 44, "SYSMONTS_FILE_DELETE_RECORD.HoldId offset");

/* minifilter pre-IRP_MJ_SET_INFORMATION FileBasicInformation changing CreationTime (event 2) */
typedef struct SYSMONTS_FILE_TIME_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    int64_t CreationTime; /* +24: the new creation time, FILETIME */
    int64_t PreviousCreationTime; /* +32: the creation time before the change, FILETIME */
    SYSMONTS_STRING TargetFilename; /* +40: normalized file name */
} SYSMONTS_FILE_TIME_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_FILE_TIME_RECORD) == 44, "SYSMONTS_FILE_TIME_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_TIME_RECORD, CreationTime) == 24, "SYSMONTS_FILE_TIME_RECORD.CreationTime offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_TIME_RECORD, PreviousCreationTime) == 32, "SYSMONTS_FILE_TIME_RECORD.PreviousCreationTime offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_TIME_RECORD, TargetFilename) == 40, "SYSMONTS_FILE_TIME_RECORD.TargetFilename offset");

/* minifilter post-create of a named stream, e.g. Zone.Identifier (event 15) */
typedef struct SYSMONTS_FILE_STREAM_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    int64_t CreationTime; /* +24: FILETIME */
    SYSMONTS_STRING TargetFilename; /* +32: file name including :stream */
} SYSMONTS_FILE_STREAM_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_FILE_STREAM_RECORD) == 36, "SYSMONTS_FILE_STREAM_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_STREAM_RECORD, CreationTime) == 24, "SYSMONTS_FILE_STREAM_RECORD.CreationTime offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_FILE_STREAM_RECORD, TargetFilename) == 32, "SYSMONTS_FILE_STREAM_RECORD.TargetFilename offset");

/* IRP_MJ_CREATE_NAMED_PIPE (event 17) and IRP_MJ_CREATE on \Device\NamedPipe (event 18) */
typedef struct SYSMONTS_PIPE_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t Operation; /* +24: 1 created, 2 connected */
    uint32_t Reserved; /* +28: zero */
    SYSMONTS_STRING PipeName; /* +32: \name, relative to the named-pipe file system */
} SYSMONTS_PIPE_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_PIPE_RECORD) == 36, "SYSMONTS_PIPE_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PIPE_RECORD, Operation) == 24, "SYSMONTS_PIPE_RECORD.Operation offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PIPE_RECORD, Reserved) == 28, "SYSMONTS_PIPE_RECORD.Reserved offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PIPE_RECORD, PipeName) == 32, "SYSMONTS_PIPE_RECORD.PipeName offset");

/* the minifilter holds a create/delete and asks the service (events 27/28); answered with IOCTL_SYSMONTS_BLOCK_DECISION */
typedef struct SYSMONTS_BLOCK_REQUEST_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint64_t RequestId; /* +24: echoed back in the decision */
    uint32_t Operation; /* +32: 1 executable create (27), 2 shredding/delete (28) */
    uint32_t TimeoutMs; /* +36: the driver allows the operation when no decision arrives in time */
    SYSMONTS_STRING TargetFilename; /* +40: normalized file name */
} SYSMONTS_BLOCK_REQUEST_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_BLOCK_REQUEST_RECORD) == 44, "SYSMONTS_BLOCK_REQUEST_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_BLOCK_REQUEST_RECORD, RequestId) == 24, "SYSMONTS_BLOCK_REQUEST_RECORD.RequestId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_BLOCK_REQUEST_RECORD, Operation) == 32, "SYSMONTS_BLOCK_REQUEST_RECORD.Operation offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_BLOCK_REQUEST_RECORD, TimeoutMs) == 36, "SYSMONTS_BLOCK_REQUEST_RECORD.TimeoutMs offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_BLOCK_REQUEST_RECORD, TargetFilename) == 40, "SYSMONTS_BLOCK_REQUEST_RECORD.TargetFilename offset");

/* the non-paged ring was full: this many records were dropped since the last such record */
typedef struct SYSMONTS_RECORDS_LOST_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t LostCount; /* +24: records dropped */
    uint32_t RingCapacity; /* +28: ring size in bytes */
} SYSMONTS_RECORDS_LOST_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_RECORDS_LOST_RECORD) == 32, "SYSMONTS_RECORDS_LOST_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RECORDS_LOST_RECORD, LostCount) == 24, "SYSMONTS_RECORDS_LOST_RECORD.LostCount offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RECORDS_LOST_RECORD, RingCapacity) == 28, "SYSMONTS_RECORDS_LOST_RECORD.RingCapacity offset");

/* sent once after IOCTL_SYSMONTS_START: what DriverEntry registered */
typedef struct SYSMONTS_DRIVER_STATUS_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t ProtocolVersion; /* +24: DRIVER_PROTOCOL_VERSION of the driver */
    uint32_t Callbacks; /* +28: SYSMONTS_CALLBACK_* bits of the registrations that succeeded */
    uint32_t RingCapacity; /* +32: ring size in bytes */
    uint32_t ArchiveHoldSlots; /* +36: deletions the minifilter holds at once for archive copies; 0: a driver that never holds */
} SYSMONTS_DRIVER_STATUS_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_DRIVER_STATUS_RECORD) == 40, "SYSMONTS_DRIVER_STATUS_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_DRIVER_STATUS_RECORD, ProtocolVersion) == 24, "SYSMONTS_DRIVER_STATUS_RECORD.ProtocolVersion offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_DRIVER_STATUS_RECORD, Callbacks) == 28, "SYSMONTS_DRIVER_STATUS_RECORD.Callbacks offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_DRIVER_STATUS_RECORD, RingCapacity) == 32, "SYSMONTS_DRIVER_STATUS_RECORD.RingCapacity offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_DRIVER_STATUS_RECORD, ArchiveHoldSlots) == 36, "SYSMONTS_DRIVER_STATUS_RECORD.ArchiveHoldSlots offset");

/* minifilter pre-IRP_MJ_READ on a volume opened for direct access (DASD: FO_VOLUME_OPEN, no file name), once per file object (event 9) */
typedef struct SYSMONTS_RAW_ACCESS_READ_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t FileObjectFlags; /* +24: FILE_OBJECT.Flags of the volume handle, for diagnosis */
    uint32_t Reserved; /* +28: zero */
    SYSMONTS_STRING Device; /* +32: FltGetVolumeName: the volume's device, e.g. \Device\HarddiskVolume2 */
} SYSMONTS_RAW_ACCESS_READ_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_RAW_ACCESS_READ_RECORD) == 36, "SYSMONTS_RAW_ACCESS_READ_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RAW_ACCESS_READ_RECORD, FileObjectFlags) == 24, "SYSMONTS_RAW_ACCESS_READ_RECORD.FileObjectFlags offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RAW_ACCESS_READ_RECORD, Reserved) == 28, "SYSMONTS_RAW_ACCESS_READ_RECORD.Reserved offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_RAW_ACCESS_READ_RECORD, Device) == 32, "SYSMONTS_RAW_ACCESS_READ_RECORD.Device offset");

/* process-create callback: the image file no longer matches what was mapped (event 25) */
typedef struct SYSMONTS_PROCESS_TAMPERING_RECORD {
    SYSMONTS_RECORD_HEADER Header; /* +0 */
    uint32_t ProcessId; /* +24: the new process whose image was tampered with */
    uint32_t TamperType; /* +28: 1 image is replaced, 2 image is locked for access */
    uint64_t ProcessKey; /* +32: PsGetProcessStartKey */
    int64_t CreateTime; /* +40: PsGetProcessCreateTimeQuadPart, FILETIME */
    uint32_t Evidence; /* +48: bits: 1 the image file object was opened for write, 2 it was written (FO_FILE_MODIFIED), 4 delete pending, 8 re-opening it for read was refused (sharing violation) */
    uint32_t Reserved; /* +52: zero */
    SYSMONTS_STRING ImageFileName; /* +56: CreateInfo->ImageFileName, NT path */
} SYSMONTS_PROCESS_TAMPERING_RECORD;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_PROCESS_TAMPERING_RECORD) == 60, "SYSMONTS_PROCESS_TAMPERING_RECORD size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_TAMPERING_RECORD, ProcessId) == 24, "SYSMONTS_PROCESS_TAMPERING_RECORD.ProcessId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_TAMPERING_RECORD, TamperType) == 28, "SYSMONTS_PROCESS_TAMPERING_RECORD.TamperType offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_TAMPERING_RECORD, ProcessKey) == 32, "SYSMONTS_PROCESS_TAMPERING_RECORD.ProcessKey offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_TAMPERING_RECORD, CreateTime) == 40, "SYSMONTS_PROCESS_TAMPERING_RECORD.CreateTime offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_TAMPERING_RECORD, Evidence) == 48, "SYSMONTS_PROCESS_TAMPERING_RECORD.Evidence offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_TAMPERING_RECORD, Reserved) == 52, "SYSMONTS_PROCESS_TAMPERING_RECORD.Reserved offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_PROCESS_TAMPERING_RECORD, ImageFileName) == 56, "SYSMONTS_PROCESS_TAMPERING_RECORD.ImageFileName offset");

/* input of IOCTL_SYSMONTS_START */
typedef struct SYSMONTS_START_REQUEST {
    uint32_t ProtocolVersion; /* +0: DRIVER_PROTOCOL_VERSION the service speaks */
    uint32_t ServicePid; /* +4: records caused by this process are not queued */
} SYSMONTS_START_REQUEST;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_START_REQUEST) == 8, "SYSMONTS_START_REQUEST size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_START_REQUEST, ProtocolVersion) == 0, "SYSMONTS_START_REQUEST.ProtocolVersion offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_START_REQUEST, ServicePid) == 4, "SYSMONTS_START_REQUEST.ServicePid offset");

/* input of IOCTL_SYSMONTS_SET_CONFIG */
typedef struct SYSMONTS_CONFIG_REQUEST {
    uint32_t ProtocolVersion; /* +0: DRIVER_PROTOCOL_VERSION */
    uint32_t EnabledRecordTypes; /* +4: bit (1 << type) for every record type to produce */
    uint32_t BlockTimeoutMs; /* +8: how long a BLOCK_REQUEST or a held deletion waits for its answer */
    uint32_t Flags; /* +12: SYSMONTS_CONFIG_*: 1 hold deletions (FILE_DELETE) until the service has archived them */
} SYSMONTS_CONFIG_REQUEST;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_CONFIG_REQUEST) == 16, "SYSMONTS_CONFIG_REQUEST size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_CONFIG_REQUEST, ProtocolVersion) == 0, "SYSMONTS_CONFIG_REQUEST.ProtocolVersion offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_CONFIG_REQUEST, EnabledRecordTypes) == 4, "SYSMONTS_CONFIG_REQUEST.EnabledRecordTypes offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_CONFIG_REQUEST, BlockTimeoutMs) == 8, "SYSMONTS_CONFIG_REQUEST.BlockTimeoutMs offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_CONFIG_REQUEST, Flags) == 12, "SYSMONTS_CONFIG_REQUEST.Flags offset");

/* input of IOCTL_SYSMONTS_BLOCK_DECISION */
typedef struct SYSMONTS_BLOCK_DECISION_REQUEST {
    uint64_t RequestId; /* +0: from the BLOCK_REQUEST record */
    uint32_t Block; /* +8: 1 deny the operation, 0 allow it */
    uint32_t Reserved; /* +12: zero */
} SYSMONTS_BLOCK_DECISION_REQUEST;
SYSMONTS_STATIC_ASSERT(sizeof(SYSMONTS_BLOCK_DECISION_REQUEST) == 16, "SYSMONTS_BLOCK_DECISION_REQUEST size");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_BLOCK_DECISION_REQUEST, RequestId) == 0, "SYSMONTS_BLOCK_DECISION_REQUEST.RequestId offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_BLOCK_DECISION_REQUEST, Block) == 8, "SYSMONTS_BLOCK_DECISION_REQUEST.Block offset");
SYSMONTS_STATIC_ASSERT(offsetof(SYSMONTS_BLOCK_DECISION_REQUEST, Reserved) == 12, "SYSMONTS_BLOCK_DECISION_REQUEST.Reserved offset");

#pragma pack(pop)

#endif /* SYSMONTS_RECORDS_H */
