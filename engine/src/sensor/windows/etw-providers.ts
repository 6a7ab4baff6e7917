/**
 * Decoders for the ETW events the Windows sensor consumes, from each provider's published
 * manifest template (the field lists `wevtutil gp <provider> /ge /gm` prints, as recorded per
 * event and version in OTRF/OSSEM data_dictionaries/windows/etw-providers/<provider>/events/).
 * Each decoder turns one event's UserData into a RawRecord, or null for events we do not use.
 */
import type { DnsQueryRecord, ImageLoadRecord, NetworkRecord, ProcessExecRecord, ProcessExitRecord, RawRecord, RecordActor, WmiSubscriptionRecord } from "../records";
import type { EtwEventHeader } from "./etw-record";
import { UserDataReader } from "./etw-record";
import { sidText } from "./sid";

export const KERNEL_NETWORK_PROVIDER = { name: "Microsoft-Windows-Kernel-Network", guid: "{7DD42A49-5329-4832-8DFD-43D979153A88}" } as const;
export const DNS_CLIENT_PROVIDER = { name: "Microsoft-Windows-DNS-Client", guid: "{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}" } as const;
export const KERNEL_PROCESS_PROVIDER = { name: "Microsoft-Windows-Kernel-Process", guid: "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}" } as const;
export const WMI_ACTIVITY_PROVIDER = { name: "Microsoft-Windows-WMI-Activity", guid: "{1418EF04-B0B4-4623-BF7E-D74AB47BBDAA}" } as const;

/** Keywords to enable (EnableTraceEx2 MatchAnyKeyword) per provider. */
export const KERNEL_NETWORK_KEYWORDS = 0x30n; // KERNEL_NETWORK_KEYWORD_IPV4 | _IPV6
export const KERNEL_PROCESS_KEYWORDS = 0x50n; // WINEVENT_KEYWORD_PROCESS | WINEVENT_KEYWORD_IMAGE

/** Windows has no uid; the SID is looked up from the process token during enrichment. */
const NO_UID = 4294967295;

function actorOf(header: EtwEventHeader, pid: number): RecordActor {
  return { pid, tid: pid === header.processId ? header.threadId : 0, uid: NO_UID };
}

/**
 * Microsoft-Windows-Kernel-Network, task KERNEL_NETWORK_TASK_TCPIP / _UDPIP. Every template
 * starts PID:UInt32, size:UInt32, daddr, saddr, dport:UInt16(win:Port), sport:UInt16(win:Port);
 * daddr/saddr are UInt32 (win:IPv4) in the IPv4 events and 16-byte Binary in the IPv6 ones.
 * saddr/sport is the local end. Sysmon puts the initiator in Source: the local end for
 * connect/send, the remote end for accept/receive (seen in every inbound event of the
 * corpora, e.g. svchost accepting on 135 has DestinationPort 135).
 */
const NETWORK_EVENTS: ReadonlyMap<number, { protocol: "tcp" | "udp"; ipv6: boolean; initiated: boolean }> = new Map([
  [12, { protocol: "tcp", ipv6: false, initiated: true }], // TCPv4 connection attempted
  [15, { protocol: "tcp", ipv6: false, initiated: false }], // TCPv4 connection accepted
  [28, { protocol: "tcp", ipv6: true, initiated: true }],
  [31, { protocol: "tcp", ipv6: true, initiated: false }],
  [42, { protocol: "udp", ipv6: false, initiated: true }], // UDPv4 data sent
  [43, { protocol: "udp", ipv6: false, initiated: false }], // UDPv4 data received
  [58, { protocol: "udp", ipv6: true, initiated: true }],
  [59, { protocol: "udp", ipv6: true, initiated: false }],
] as const);

export function decodeKernelNetwork(header: EtwEventHeader, userData: Uint8Array): NetworkRecord | null {
  const shape = NETWORK_EVENTS.get(header.eventId);
  if (!shape) return null;
  const r = new UserDataReader(userData, header.pointerSize);
  const pid = r.u32("PID");
  r.u32("size");
  const remoteIp = shape.ipv6 ? r.ipv6("daddr") : r.ipv4("daddr");
  const localIp = shape.ipv6 ? r.ipv6("saddr") : r.ipv4("saddr");
  const remotePort = r.port("dport");
  const localPort = r.port("sport");
  const local = { ip: localIp, port: localPort };
  const remote = { ip: remoteIp, port: remotePort };
  const [source, destination] = shape.initiated ? [local, remote] : [remote, local];
  return {
    kind: "network",
    timeMs: header.timeMs,
    actor: actorOf(header, pid),
    protocol: shape.protocol,
    initiated: shape.initiated,
    ipv6: shape.ipv6,
    sourceIp: source.ip,
    sourcePort: source.port,
    destinationIp: destination.ip,
    destinationPort: destination.port,
  };
}

/**
 * Microsoft-Windows-DNS-Client event 3008 (query completed): QueryName:UnicodeString,
 * QueryType:UInt32, QueryOptions:UInt64, QueryStatus:UInt32, QueryResults:UnicodeString.
 * Sysmon's DnsQuery is built from exactly this event; the header's ProcessId is the caller.
 */
export function decodeDnsClient(header: EtwEventHeader, userData: Uint8Array): DnsQueryRecord | null {
  if (header.eventId !== 3008) return null;
  const r = new UserDataReader(userData, header.pointerSize);
  const queryName = r.utf16z();
  const queryType = r.u32("QueryType");
  r.u64("QueryOptions");
  const queryStatus = r.u32("QueryStatus");
  const queryResults = r.remaining > 0 ? r.utf16z() : "";
  return { kind: "dns-query", timeMs: header.timeMs, actor: actorOf(header, header.processId), queryName, queryType, queryStatus, queryResults };
}

/**
 * Microsoft-Windows-Kernel-Process, the fallback for events 1, 5 and 7 when the driver is absent.
 *   1 ProcessStart v0: ProcessID, CreateTime:FILETIME, ParentProcessID, SessionID, ImageName
 *                  v1/v2: … SessionID, Flags, ImageName, …
 *                  v3: ProcessID, ProcessSequenceNumber:UInt64, CreateTime, ParentProcessID,
 *                      ParentProcessSequenceNumber:UInt64, SessionID, Flags,
 *                      ProcessTokenElevationType, ProcessTokenIsElevated, MandatoryLabel:SID, ImageName, …
 *   2 ProcessStop  v0/v1: ProcessID, CreateTime, ExitTime, ExitCode, …
 *                  v2: ProcessID, ProcessSequenceNumber, CreateTime, ExitTime, ExitCode, …
 *   5 ImageLoad: ImageBase:Pointer, ImageSize:Pointer, ProcessID, ImageCheckSum, TimeDateStamp,
 *                DefaultBase:Pointer, ImageName
 * ImageName is an NT path (\Device\HarddiskVolume3\…); translating it to a drive letter is
 * done by the caller with the device map (native-path.ts). The sequence number is the
 * kernel's unique process key, used as the ProcessGuid's key when present; without it (v0-v2)
 * the key is 0 and enrichment asks for it by handle.
 */
export function decodeKernelProcess(header: EtwEventHeader, userData: Uint8Array): ProcessExecRecord | ProcessExitRecord | ImageLoadRecord | null {
  const r = new UserDataReader(userData, header.pointerSize);
  switch (header.eventId) {
    case 1: {
      const pid = r.u32("ProcessID");
      const processKey = header.version >= 3 ? r.u64("ProcessSequenceNumber") : 0n;
      const startTimeMs = r.fileTime("CreateTime");
      const parentPid = r.u32("ParentProcessID");
      if (header.version >= 3) r.u64("ParentProcessSequenceNumber");
      const sessionId = r.u32("SessionID");
      if (header.version >= 1) r.u32("Flags");
      if (header.version >= 3) {
        r.u32("ProcessTokenElevationType");
        r.u32("ProcessTokenIsElevated");
        r.sid("MandatoryLabel");
      }
      const image = r.utf16z();
      return {
        kind: "exec",
        timeMs: header.timeMs,
        actor: actorOf(header, header.processId),
        process: { pid, startTimeMs, processKey },
        parentPid,
        image,
        argv: [],
        argvTruncated: false,
        cwd: "",
        sessionId,
        ttyIndex: -1,
        loginUid: NO_UID,
      };
    }
    case 2: {
      const pid = r.u32("ProcessID");
      const processKey = header.version >= 2 ? r.u64("ProcessSequenceNumber") : 0n;
      const startTimeMs = r.fileTime("CreateTime");
      r.u64("ExitTime");
      const exitCode = r.u32("ExitCode");
      return { kind: "exit", timeMs: header.timeMs, actor: actorOf(header, pid), process: { pid, startTimeMs, processKey }, exitCode };
    }
    case 5: {
      r.pointer("ImageBase");
      r.pointer("ImageSize");
      const pid = r.u32("ProcessID");
      r.u32("ImageCheckSum");
      r.u32("TimeDateStamp");
      r.pointer("DefaultBase");
      const path = r.utf16z();
      return { kind: "image-load", timeMs: header.timeMs, actor: actorOf(header, pid), path };
    }
    default:
      return null;
  }
}

/** Reads `Key = "value";` pairs of one `instance of Class { … };` block of MOF text. */
function mofInstances(text: string): { className: string; properties: Map<string, string> }[] {
  const out: { className: string; properties: Map<string, string> }[] = [];
  const block = /instance of (\w+)\s*\{([\s\S]*?)\n\s*\};/g;
  for (let m = block.exec(text); m; m = block.exec(text)) {
    const properties = new Map<string, string>();
    const property = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*));/g;
    for (let p = property.exec(m[2]!); p; p = property.exec(m[2]!)) {
      const value = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : (p[3] ?? "").trim();
      properties.set(p[1]!, value);
    }
    out.push({ className: m[1]!, properties });
  }
  return out;
}

/**
 * CreatorSID is a MOF uint8 array, `{1, 5, 0, …}`: the binary SID. Anything that is not a
 * well-formed SID gives "" (User then renders as "-") rather than a made-up name.
 */
function mofSidText(array: string): string {
  const body = /^\{([\d,\s]*)\}$/.exec(array.trim());
  if (!body) return "";
  const bytes = body[1]!.split(",").map((b) => Number(b.trim()));
  if (bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) return "";
  const sid = Uint8Array.from(bytes);
  // A SID is exactly its 8-byte header plus SubAuthorityCount 4-byte sub-authorities.
  if (sid.length < 8 || sid.length !== 8 + 4 * sid[1]!) return "";
  try {
    return sidText(sid);
  } catch {
    return "";
  }
}

const CONSUMER_DESTINATION = ["CommandLineTemplate", "ExecutablePath", "ScriptText", "ScriptFileName", "FileName", "Text", "SMTPServer"];

/**
 * Microsoft-Windows-WMI-Activity event 5861 (a permanent consumer was bound to a filter):
 * Namespace, ESS, CONSUMER, PossibleCause — all UnicodeString. PossibleCause holds the
 * filter and consumer as MOF `instance of … { … };` text, from which the filter's name and
 * query and the consumer's class, name and payload are read.
 */
export function decodeWmiActivity(header: EtwEventHeader, userData: Uint8Array): WmiSubscriptionRecord | null {
  if (header.eventId !== 5861) return null;
  const r = new UserDataReader(userData, header.pointerSize);
  const namespace = r.utf16z();
  const ess = r.utf16z();
  const consumer = r.utf16z();
  const possibleCause = r.remaining > 0 ? r.utf16z() : "";
  const instances = mofInstances(possibleCause);
  const filter = instances.find((i) => i.className === "__EventFilter");
  const consumerInstance = instances.find((i) => i.className.endsWith("Consumer"));
  const destinationKey = CONSUMER_DESTINATION.find((k) => consumerInstance?.properties.has(k));
  const creatorSid = filter?.properties.get("CreatorSID") ?? consumerInstance?.properties.get("CreatorSID");
  return {
    kind: "wmi-subscription",
    timeMs: header.timeMs,
    actor: actorOf(header, header.processId),
    namespace,
    // A filter without EventNamespace watches the namespace it was created in (WMI's rule).
    eventNamespace: filter?.properties.get("EventNamespace") ?? namespace,
    creatorSid: creatorSid === undefined ? "" : mofSidText(creatorSid),
    filterName: filter?.properties.get("Name") ?? ess,
    filterQuery: filter?.properties.get("Query") ?? "",
    consumerType: consumerInstance?.className ?? "",
    consumerName: consumerInstance?.properties.get("Name") ?? consumer,
    consumerDestination: destinationKey ? consumerInstance!.properties.get(destinationKey)! : "",
    detail: possibleCause,
  };
}

/** Routes an event to its provider's decoder by ProviderId. */
export function decodeEtwEvent(header: EtwEventHeader, userData: Uint8Array): RawRecord | null {
  switch (header.providerId) {
    case KERNEL_NETWORK_PROVIDER.guid:
      return decodeKernelNetwork(header, userData);
    case DNS_CLIENT_PROVIDER.guid:
      return decodeDnsClient(header, userData);
    case KERNEL_PROCESS_PROVIDER.guid:
      return decodeKernelProcess(header, userData);
    case WMI_ACTIVITY_PROVIDER.guid:
      return decodeWmiActivity(header, userData);
    default:
      return null;
  }
}
