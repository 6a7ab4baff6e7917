/*
 * Internal interface between the parts of the SysmonTs driver: the record ring (ring.c), the
 * kernel callbacks (callbacks.c), the minifilter (minifilter.c) and the device (driver.c).
 */
#ifndef SYSMONTS_DRIVER_H
#define SYSMONTS_DRIVER_H

#include "fltmin.h"
#include <ntddk.h>
#include "../include/sysmonts_records.h"

/* 'SmSt' read backwards in pool dumps; spelled as a number for compilers that warn on multi-char literals. */
#define SYSMONTS_POOL_TAG 0x74536D53u
#define SYSMONTS_RING_BYTES (4u * 1024u * 1024u)
#define SYSMONTS_ALTITUDE L"385211"
#define SYSMONTS_MAX_STRING_BYTES 8192u

/* ---- ring.c: bounded non-paged queue of whole records, drops counted ---- */
NTSTATUS SysmonTsRingInitialize(ULONG capacity);
VOID SysmonTsRingFree(VOID);
/* Copies whole records into out (8-byte aligned) and returns the bytes written; waits up to
   timeoutMs for the first record. */
ULONG SysmonTsRingRead(PUCHAR out, ULONG outLength, ULONG timeoutMs);
ULONG SysmonTsRingCapacity(VOID);
/* Wakes a reader blocked in SysmonTsRingRead (used at unload). */
VOID SysmonTsRingWakeReaders(VOID);

/* ---- records: a fixed part filled by the caller plus strings appended here ---- */
typedef struct SYSMONTS_STRING_ARG {
    ULONG FieldOffset;            /* offsetof(record, the SYSMONTS_STRING field) */
    PCUNICODE_STRING Text;        /* may be NULL: empty */
} SYSMONTS_STRING_ARG;

/* Fills the header (time, current pid/tid), appends strings, and queues the record when the
   service has started and enabled this type. Safe at IRQL <= APC_LEVEL. Returns whether the
   record was queued (a caller holding an operation for its answer waits only then). */
BOOLEAN SysmonTsEmit(USHORT type, PVOID fixedRecord, ULONG fixedSize, const SYSMONTS_STRING_ARG *strings, ULONG stringCount);
BOOLEAN SysmonTsWants(USHORT type);
BOOLEAN SysmonTsIsServiceProcess(HANDLE processId);

/* ---- driver.c: dynamically resolved routines (absent from older kernels, mingw or wine) ---- */
PVOID SysmonTsAllocate(SIZE_T bytes);
VOID SysmonTsFree(PVOID memory);
LONGLONG SysmonTsNow(VOID);
VOID SysmonTsRecordResult(PCWSTR name, NTSTATUS status);
PVOID SysmonTsResolve(PCWSTR routineName);

/* ---- callbacks.c: process, thread, image, registry and object callbacks ---- */
ULONG SysmonTsRegisterCallbacks(PDRIVER_OBJECT driver);
VOID SysmonTsUnregisterCallbacks(VOID);

/* ---- minifilter.c: file and named-pipe operations ---- */
NTSTATUS SysmonTsRegisterMinifilter(PDRIVER_OBJECT driver);
VOID SysmonTsUnregisterMinifilter(VOID);
/* Resolves a pending BLOCK_REQUEST with the service's decision. */
NTSTATUS SysmonTsBlockDecision(ULONG64 requestId, BOOLEAN block);
VOID SysmonTsReleaseBlockWaiters(VOID);
/* The bound on deletions held for archive copies, reported in DRIVER_STATUS. */
ULONG SysmonTsArchiveHoldSlots(VOID);

/* The configuration the service sent with IOCTL_SYSMONTS_START / SET_CONFIG. */
typedef struct SYSMONTS_STATE {
    volatile LONG Started;
    volatile LONG EnabledRecordTypes;
    volatile LONG ServicePid;
    volatile LONG BlockTimeoutMs;
    volatile LONG ConfigFlags;    /* SYSMONTS_CONFIG_* */
    volatile LONG Callbacks;
} SYSMONTS_STATE;
extern SYSMONTS_STATE SysmonTsState;

#endif /* SYSMONTS_DRIVER_H */
