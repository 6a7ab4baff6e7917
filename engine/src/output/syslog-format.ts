import { hostname } from "node:os";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** LOG_USER | LOG_INFO, what Sysmon for Linux passes to syslog() (cli-and-output.md §6). */
export const SYSLOG_PRIORITY = 14;

/**
 * A line for the local /dev/log socket in glibc's syslog() format: `<14>Mmm dd hh:mm:ss
 * sysmon: MSG`, local time, no hostname, tag "sysmon" with no PID as openlog("sysmon",
 * LOG_NOWAIT, LOG_USER) gives.
 */
export function formatLocalSyslog(message: string, now: Date = new Date()): string {
  const two = (n: number): string => String(n).padStart(2, "0");
  const stamp = `${MONTHS[now.getMonth()]} ${String(now.getDate()).padStart(2, " ")} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  return `<${SYSLOG_PRIORITY}>${stamp} sysmon: ${message}`;
}

/**
 * An RFC 5424 message: `<14>1 TIMESTAMP HOST sysmon PID - - MSG`. APP-NAME is "sysmon" so
 * collectors' Sysmon for Linux parsers recognise it.
 */
export function formatRfc5424(message: string, options: { time?: number; host?: string; pid?: number } = {}): string {
  const time = new Date(options.time ?? Date.now()).toISOString();
  return `<${SYSLOG_PRIORITY}>1 ${time} ${options.host ?? hostname()} sysmon ${options.pid ?? process.pid} - - ${message}`;
}

/** RFC 6587 octet-counting frame: the message's UTF-8 length, a space, the message. */
export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, "utf8");
  return Buffer.concat([Buffer.from(`${body.length} `, "ascii"), body]);
}
