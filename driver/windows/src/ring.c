/*
 * The record ring: one non-paged byte buffer written at DISPATCH_LEVEL under a spin lock and read
 * by the service's IOCTL_SYSMONTS_READ. Records are stored whole and 8-byte aligned; the capacity
 * is a multiple of 8, so a record's size field never straddles the wrap. When a record does not
 * fit it is dropped and counted, and a RECORDS_LOST record goes ahead of the next one that fits,
 * so the service can report every loss (DESIGN.md: drops are counted, never silent).
 */
#include "sysmonts_driver.h"

static struct {
    PUCHAR Buffer;
    ULONG Capacity;
    ULONG Head;      /* next byte to read */
    ULONG Used;      /* bytes queued */
    ULONG Lost;      /* records dropped since the last RECORDS_LOST record */
    KSPIN_LOCK Lock;
    KEVENT DataReady;
} Ring;

static ULONG Align8(ULONG value) { return (value + SYSMONTS_RECORD_ALIGNMENT - 1) & ~(SYSMONTS_RECORD_ALIGNMENT - 1); }

NTSTATUS SysmonTsRingInitialize(ULONG capacity)
{
    Ring.Buffer = (PUCHAR)SysmonTsAllocate(capacity);
    if (Ring.Buffer == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    Ring.Capacity = capacity;
    Ring.Head = Ring.Used = Ring.Lost = 0;
    KeInitializeSpinLock(&Ring.Lock);
    KeInitializeEvent(&Ring.DataReady, NotificationEvent, FALSE);
    return STATUS_SUCCESS;
}

VOID SysmonTsRingFree(VOID)
{
    if (Ring.Buffer != NULL) SysmonTsFree(Ring.Buffer);
    Ring.Buffer = NULL;
}

ULONG SysmonTsRingCapacity(VOID) { return Ring.Capacity; }

static VOID CopyIn(const UCHAR *source, ULONG length)
{
    ULONG tail = (Ring.Head + Ring.Used) % Ring.Capacity;
    ULONG first = min(length, Ring.Capacity - tail);
    RtlCopyMemory(Ring.Buffer + tail, source, first);
    if (first < length) RtlCopyMemory(Ring.Buffer, source + first, length - first);
    Ring.Used += Align8(length);
}

static VOID CopyOut(PUCHAR out, ULONG length)
{
    ULONG first = min(length, Ring.Capacity - Ring.Head);
    RtlCopyMemory(out, Ring.Buffer + Ring.Head, first);
    if (first < length) RtlCopyMemory(out + first, Ring.Buffer, length - first);
}

/* Called by SysmonTsEmit with a complete record; returns whether it was queued. */
BOOLEAN SysmonTsRingPush(const SYSMONTS_RECORD_HEADER *record)
{
    KIRQL irql;
    SYSMONTS_RECORDS_LOST_RECORD lost;
    ULONG need = Align8(record->Size);
    BOOLEAN queued = FALSE;
    if (Ring.Buffer == NULL) return FALSE;
    KeAcquireSpinLock(&Ring.Lock, &irql);
    if (Ring.Lost != 0) need += Align8(sizeof lost);
    if (Ring.Capacity - Ring.Used < need) {
        Ring.Lost++;
    } else {
        if (Ring.Lost != 0) {
            RtlZeroMemory(&lost, sizeof lost);
            lost.Header.Size = sizeof lost;
            lost.Header.Type = SYSMONTS_RECORD_RECORDS_LOST;
            lost.Header.Version = SYSMONTS_RECORD_RECORDS_LOST_VERSION;
            lost.Header.Timestamp = record->Timestamp;
            lost.LostCount = Ring.Lost;
            lost.RingCapacity = Ring.Capacity;
            CopyIn((const UCHAR *)&lost, sizeof lost);
            Ring.Lost = 0;
        }
        CopyIn((const UCHAR *)record, record->Size);
        KeSetEvent(&Ring.DataReady, IO_NO_INCREMENT, FALSE);
        queued = TRUE;
    }
    KeReleaseSpinLock(&Ring.Lock, irql);
    return queued;
}

ULONG SysmonTsRingRead(PUCHAR out, ULONG outLength, ULONG timeoutMs)
{
    KIRQL irql;
    ULONG written = 0;
    LARGE_INTEGER timeout;
    if (Ring.Buffer == NULL) return 0;
    timeout.QuadPart = -10000LL * timeoutMs;
    /* Alertable user-mode wait: a service thread stopping or being killed is not held here. */
    KeWaitForSingleObject(&Ring.DataReady, Executive, UserMode, TRUE, &timeout);
    KeAcquireSpinLock(&Ring.Lock, &irql);
    while (Ring.Used > 0) {
        USHORT size = *(USHORT UNALIGNED *)(Ring.Buffer + Ring.Head);
        ULONG span = Align8(size);
        if (written + span > outLength) break;
        CopyOut(out + written, size);
        RtlZeroMemory(out + written + size, span - size);
        written += span;
        Ring.Head = (Ring.Head + span) % Ring.Capacity;
        Ring.Used -= span;
    }
    if (Ring.Used == 0) KeClearEvent(&Ring.DataReady);
    KeReleaseSpinLock(&Ring.Lock, irql);
    return written;
}

VOID SysmonTsRingWakeReaders(VOID)
{
    if (Ring.Buffer != NULL) KeSetEvent(&Ring.DataReady, IO_NO_INCREMENT, FALSE);
}
