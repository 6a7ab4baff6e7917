/**
 * DnsQuery (event 22) from DNS packets the sensor saw: an outgoing query is held by
 * (pid, transaction id) until its response arrives, or until it times out.
 *
 * Value formats follow Windows Sysmon, the only Sysmon that logs DNS (spec/events.md §4 and
 * the OTRF sample events in corpora/events-windows-otrf-open):
 * - QueryStatus is the Windows DNS status as decimal text: 0 for success, 9000 + RCODE for an
 *   error response (DNS_ERROR_RCODE_*: 9003 for NXDOMAIN), 9501 (DNS_INFO_NO_RECORDS) for a
 *   success without answers, 1460 (ERROR_TIMEOUT) when no response came.
 * - QueryResults lists the answers in order, each followed by ";": `type:  5 <name>` for
 *   CNAME (and `type:  12 <name>` for PTR), `::ffff:a.b.c.d` for A (Windows reports IPv4
 *   answers as mapped addresses), the RFC 5952 text for AAAA, `type:  <n> ` for any other
 *   type; "-" when there are none.
 */
import { parseDnsMessage, type DnsAnswer } from "./dns-message";

export const DNS_STATUS_TIMEOUT = 1460;
export const DNS_STATUS_NO_RECORDS = 9501;
const DNS_STATUS_RCODE_BASE = 9000;

export function queryStatusText(rcode: number, answerCount: number): string {
  if (rcode !== 0) return String(DNS_STATUS_RCODE_BASE + rcode);
  return answerCount === 0 ? String(DNS_STATUS_NO_RECORDS) : "0";
}

export function queryResultsText(answers: readonly DnsAnswer[]): string {
  let text = "";
  for (const answer of answers) {
    switch (answer.type) {
      case 1:
        text += answer.data === "" ? "" : `::ffff:${answer.data};`;
        break;
      case 28:
        text += answer.data === "" ? "" : `${answer.data};`;
        break;
      case 5:
      case 12:
        text += `type:  ${answer.type} ${answer.data};`;
        break;
      default:
        text += `type:  ${answer.type} ;`;
    }
  }
  return text === "" ? "-" : text;
}

export interface DnsOutcome {
  readonly pid: number;
  /** Time of the response, or of the query plus the timeout. */
  readonly timeMs: number;
  /** Time of the query (of the response when the query was not seen): the process is looked up then. */
  readonly queryTimeMs: number;
  readonly queryName: string;
  readonly queryStatus: string;
  readonly queryResults: string;
}

export interface DnsTrackerOptions {
  /** How long a query waits for its response before it is reported with status 1460. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Queries held at once; beyond it the oldest is reported as timed out early (counted). Default 4096. */
  readonly maxPending?: number;
}

export interface DnsTrackerStats {
  readonly queries: number;
  readonly responses: number;
  readonly unmatchedResponses: number;
  readonly timeouts: number;
  readonly malformed: number;
  readonly ignored: number;
  readonly evicted: number;
  readonly pending: number;
}

interface PendingQuery {
  readonly pid: number;
  readonly timeMs: number;
  readonly queryName: string;
}

export class DnsTracker {
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  /** key pid * 65536 + id; insertion order is query order, so expiry scans from the front. */
  private readonly pending = new Map<number, PendingQuery>();
  private counters = { queries: 0, responses: 0, unmatchedResponses: 0, timeouts: 0, malformed: 0, ignored: 0, evicted: 0 };

  constructor(options: DnsTrackerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxPending = Math.max(1, options.maxPending ?? 4096);
  }

  /**
   * Handles one packet of process `pid`. Only the process's own queries (outgoing, QR=0) and
   * the responses it receives (incoming, QR=1) count; a DNS server's traffic is ignored.
   */
  onPacket(packet: { pid: number; timeMs: number; outgoing: boolean; message: Uint8Array }, report: (outcome: DnsOutcome) => void): void {
    const message = parseDnsMessage(packet.message);
    if (message === null) {
      this.counters.malformed++;
      return;
    }
    if (message.opcode !== 0 || message.isResponse === packet.outgoing) {
      this.counters.ignored++;
      return;
    }
    const key = packet.pid * 65536 + message.id;
    if (!message.isResponse) {
      const queryName = message.questions[0]?.name ?? "";
      this.counters.queries++;
      // A retransmission with the same id replaces the first and restarts its clock.
      this.pending.delete(key);
      this.pending.set(key, { pid: packet.pid, timeMs: packet.timeMs, queryName });
      if (this.pending.size > this.maxPending) {
        const oldest = this.pending.entries().next();
        if (!oldest.done) {
          this.pending.delete(oldest.value[0]);
          this.counters.evicted++;
          this.reportTimeout(oldest.value[1], report);
        }
      }
      return;
    }
    const query = this.pending.get(key);
    if (query === undefined) this.counters.unmatchedResponses++;
    else this.pending.delete(key);
    this.counters.responses++;
    report({
      pid: packet.pid,
      timeMs: packet.timeMs,
      queryTimeMs: query?.timeMs ?? packet.timeMs,
      queryName: query?.queryName ?? message.questions[0]?.name ?? "",
      queryStatus: queryStatusText(message.rcode, message.answers.length),
      queryResults: queryResultsText(message.answers),
    });
  }

  /** Reports every query older than the timeout at `nowMs`. Cheap when nothing is due. */
  expire(nowMs: number, report: (outcome: DnsOutcome) => void): void {
    for (const [key, query] of this.pending) {
      if (nowMs - query.timeMs < this.timeoutMs) break;
      this.pending.delete(key);
      this.reportTimeout(query, report);
    }
  }

  private reportTimeout(query: PendingQuery, report: (outcome: DnsOutcome) => void): void {
    this.counters.timeouts++;
    report({ pid: query.pid, timeMs: query.timeMs + this.timeoutMs, queryTimeMs: query.timeMs, queryName: query.queryName, queryStatus: String(DNS_STATUS_TIMEOUT), queryResults: "-" });
  }

  stats(): DnsTrackerStats {
    return { ...this.counters, pending: this.pending.size };
  }
}
