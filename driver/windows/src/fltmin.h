/*
 * The part of the Filter Manager interface this driver uses. mingw-w64 has no fltkernel.h; with the
 * WDK (SYSMONTS_WDK_BUILD) the real header is used instead. Layouts follow the WDK documentation for
 * x64 and are pinned by the static asserts below: a mismatch fails the build rather than the kernel.
 */
#ifndef SYSMONTS_FLTMIN_H
#define SYSMONTS_FLTMIN_H

#ifdef SYSMONTS_WDK_BUILD
#include <fltKernel.h>
#else
#include <ntifs.h>

typedef struct _FLT_FILTER *PFLT_FILTER;
typedef struct _FLT_INSTANCE *PFLT_INSTANCE;
typedef struct _FLT_VOLUME *PFLT_VOLUME;
typedef ULONG FLT_FILTER_UNLOAD_FLAGS;
typedef ULONG FLT_POST_OPERATION_FLAGS;
typedef ULONG FLT_FILE_NAME_OPTIONS;

#define FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS 0x00000002
#define FLT_FILE_NAME_NORMALIZED 0x01
#define FLT_FILE_NAME_OPENED 0x02
#define FLT_FILE_NAME_QUERY_DEFAULT 0x0100
#define FLTFL_POST_OPERATION_DRAINING 0x00000001
#define IRP_MJ_OPERATION_END ((UCHAR)0x80)
#define FLT_REGISTRATION_VERSION 0x0203

typedef enum _FLT_PREOP_CALLBACK_STATUS {
    FLT_PREOP_SUCCESS_WITH_CALLBACK, FLT_PREOP_SUCCESS_NO_CALLBACK, FLT_PREOP_PENDING,
    FLT_PREOP_DISALLOW_FASTIO, FLT_PREOP_COMPLETE, FLT_PREOP_SYNCHRONIZE, FLT_PREOP_DISALLOW_FSFILTER_IO
} FLT_PREOP_CALLBACK_STATUS;
typedef enum _FLT_POSTOP_CALLBACK_STATUS {
    FLT_POSTOP_FINISHED_PROCESSING, FLT_POSTOP_MORE_PROCESSING_REQUIRED, FLT_POSTOP_DISALLOW_FSFILTER_IO
} FLT_POSTOP_CALLBACK_STATUS;

/* Only the Create (its leading SecurityContext) and SetFileInformation members of the
   FLT_PARAMETERS union are read. */
typedef union _FLT_PARAMETERS {
    struct {
        PIO_SECURITY_CONTEXT SecurityContext;
        ULONG Options;
    } Create;
    struct {
        ULONG Length;
        FILE_INFORMATION_CLASS FileInformationClass;
        PFILE_OBJECT ParentOfTarget;
        union { struct { BOOLEAN ReplaceIfExists; BOOLEAN AdvanceOnly; }; ULONG ClusterCount; HANDLE DeleteHandle; };
        PVOID InfoBuffer;
    } SetFileInformation;
    struct { PVOID Argument1, Argument2, Argument3, Argument4, Argument5; LARGE_INTEGER Argument6; } Others;
} FLT_PARAMETERS;

typedef struct _FLT_IO_PARAMETER_BLOCK {
    ULONG IrpFlags;
    UCHAR MajorFunction;
    UCHAR MinorFunction;
    UCHAR OperationFlags;
    UCHAR Reserved;
    PFILE_OBJECT TargetFileObject;
    PFLT_INSTANCE TargetInstance;
    FLT_PARAMETERS Parameters;
} FLT_IO_PARAMETER_BLOCK, *PFLT_IO_PARAMETER_BLOCK;

typedef struct _FLT_CALLBACK_DATA {
    ULONG Flags;
    PETHREAD Thread;
    PFLT_IO_PARAMETER_BLOCK Iopb;
    IO_STATUS_BLOCK IoStatus;
    PVOID TagData;
    union { struct { LIST_ENTRY QueueLinks; PVOID QueueContext[2]; }; PVOID FilterContext[4]; };
    KPROCESSOR_MODE RequestorMode;
} FLT_CALLBACK_DATA, *PFLT_CALLBACK_DATA;

typedef struct _FLT_RELATED_OBJECTS {
    USHORT Size;
    USHORT TransactionContext;
    PFLT_FILTER Filter;
    PFLT_VOLUME Volume;
    PFLT_INSTANCE Instance;
    PFILE_OBJECT FileObject;
    PVOID Transaction;
} FLT_RELATED_OBJECTS;
typedef const FLT_RELATED_OBJECTS *PCFLT_RELATED_OBJECTS;

typedef struct _FLT_FILE_NAME_INFORMATION {
    USHORT Size;
    USHORT NamesParsed;
    FLT_FILE_NAME_OPTIONS Format;
    UNICODE_STRING Name, Volume, Share, Extension, Stream, FinalComponent, ParentDir;
} FLT_FILE_NAME_INFORMATION, *PFLT_FILE_NAME_INFORMATION;

typedef FLT_PREOP_CALLBACK_STATUS (NTAPI *PFLT_PRE_OPERATION_CALLBACK)(PFLT_CALLBACK_DATA, PCFLT_RELATED_OBJECTS, PVOID *);
typedef FLT_POSTOP_CALLBACK_STATUS (NTAPI *PFLT_POST_OPERATION_CALLBACK)(PFLT_CALLBACK_DATA, PCFLT_RELATED_OBJECTS, PVOID, FLT_POST_OPERATION_FLAGS);
typedef NTSTATUS (NTAPI *PFLT_FILTER_UNLOAD_CALLBACK)(FLT_FILTER_UNLOAD_FLAGS);

typedef struct _FLT_OPERATION_REGISTRATION {
    UCHAR MajorFunction;
    ULONG Flags;
    PFLT_PRE_OPERATION_CALLBACK PreOperation;
    PFLT_POST_OPERATION_CALLBACK PostOperation;
    PVOID Reserved1;
} FLT_OPERATION_REGISTRATION;

typedef struct _FLT_REGISTRATION {
    USHORT Size;
    USHORT Version;
    ULONG Flags;
    const void *ContextRegistration;
    const FLT_OPERATION_REGISTRATION *OperationRegistration;
    PFLT_FILTER_UNLOAD_CALLBACK FilterUnloadCallback;
    PVOID InstanceSetupCallback, InstanceQueryTeardownCallback, InstanceTeardownStartCallback, InstanceTeardownCompleteCallback;
    PVOID GenerateFileNameCallback, NormalizeNameComponentCallback, NormalizeContextCleanupCallback;
    PVOID TransactionNotificationCallback, NormalizeNameComponentExCallback, SectionNotificationCallback;
} FLT_REGISTRATION;

NTSTATUS NTAPI FltRegisterFilter(PDRIVER_OBJECT, const FLT_REGISTRATION *, PFLT_FILTER *);
NTSTATUS NTAPI FltStartFiltering(PFLT_FILTER);
VOID NTAPI FltUnregisterFilter(PFLT_FILTER);
NTSTATUS NTAPI FltGetFileNameInformation(PFLT_CALLBACK_DATA, FLT_FILE_NAME_OPTIONS, PFLT_FILE_NAME_INFORMATION *);
NTSTATUS NTAPI FltParseFileNameInformation(PFLT_FILE_NAME_INFORMATION);
VOID NTAPI FltReleaseFileNameInformation(PFLT_FILE_NAME_INFORMATION);
NTSTATUS NTAPI FltQueryInformationFile(PFLT_INSTANCE, PFILE_OBJECT, PVOID, ULONG, FILE_INFORMATION_CLASS, PULONG);
ULONG NTAPI FltGetRequestorProcessId(PFLT_CALLBACK_DATA);
NTSTATUS NTAPI FltGetVolumeName(PFLT_VOLUME, PUNICODE_STRING, PULONG);

_Static_assert(sizeof(FLT_REGISTRATION) == 112, "FLT_REGISTRATION (x64, version 0x0203)");
_Static_assert(sizeof(FLT_OPERATION_REGISTRATION) == 32, "FLT_OPERATION_REGISTRATION (x64)");
_Static_assert(sizeof(FLT_FILE_NAME_INFORMATION) == 120, "FLT_FILE_NAME_INFORMATION (x64)");
_Static_assert(offsetof(FLT_CALLBACK_DATA, Iopb) == 16, "FLT_CALLBACK_DATA.Iopb");
_Static_assert(offsetof(FLT_CALLBACK_DATA, IoStatus) == 24, "FLT_CALLBACK_DATA.IoStatus");
_Static_assert(offsetof(FLT_CALLBACK_DATA, RequestorMode) == 80, "FLT_CALLBACK_DATA.RequestorMode");
_Static_assert(offsetof(FLT_IO_PARAMETER_BLOCK, Parameters) == 24, "FLT_IO_PARAMETER_BLOCK.Parameters");
_Static_assert(offsetof(FLT_RELATED_OBJECTS, FileObject) == 32, "FLT_RELATED_OBJECTS.FileObject");
#endif /* SYSMONTS_WDK_BUILD */

#endif /* SYSMONTS_FLTMIN_H */
