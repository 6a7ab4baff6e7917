/**
 * The ArchiveDirectory stage (Windows): an included FileDelete (23) keeps a copy of the deleted
 * file, an included ClipboardChange (24) keeps the copied text, both named by their Hashes
 * (archive-names.ts). The engine hands an event here only after its rules included it, so an
 * excluded event never archives, and FileDeleteDetected (26) never comes here at all.
 *
 * Reading and writing files is I/O, so it never runs on the engine's drain: submit() only queues
 * (bounded; a full queue publishes the event at once with Archived false, counted), and one
 * asynchronous copy at a time runs on libuv's thread pool. The event is published when its copy
 * has finished or failed, with Archived saying which; every failure is counted by reason and
 * logged once per reason and minute, and never stops the event.
 *
 * Timing (documented in the README): the driver reports a deletion from its pre-operation
 * callback, before the file system applies it, and, when the service archives, holds the deleting
 * thread there until it is answered (driver/windows/README.md). The engine passes that answer as
 * `afterCopy`, which runs once the copy has finished or failed, never before, and always, even
 * when the copy throws. A deletion the driver could not hold (its bound was reached) arrives with
 * `notHeld` and is published at once with Archived false (counted as notHeld): copying it would
 * race the deleting process again. Without the driver's hold (older driver, timeout passed) the
 * copy can still find the file gone: Archived false, sourceGone.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { HashAlgorithm } from "../config";
import { type SysmonEvent, eventDef } from "../schema";
import { clipboardArchiveName, deletedFileArchiveName, windowsHashesText } from "./archive-names";

export type ArchiveFailure = "sourceGone" | "tooLarge" | "directoryUnavailable" | "writeFailed" | "queueFull" | "contentMissing" | "notHeld";

/** How one submitted event relates to the operation it reports. */
export interface ArchiveSubmitOptions {
  /** Runs once the copy has finished or failed (or was never tried): the driver's held deletion is released here. */
  readonly afterCopy?: () => void;
  /** The deletion was not held, so its file may already be gone: published at once with Archived false. */
  readonly notHeld?: boolean;
}

export interface ArchiverStats {
  readonly archived: number;
  readonly failed: Readonly<Record<ArchiveFailure, number>>;
  readonly queued: number;
  readonly bytesWritten: number;
}

export interface ArchiverOptions {
  /** The config's ArchiveDirectory (`\name\`) and HashAlgorithms; configure() replaces them. */
  readonly archiveDirectory: string;
  readonly hashAlgorithms: readonly HashAlgorithm[];
  /** The folder for a stored ArchiveDirectory: on Windows archiveDirectoryPath on the system drive. */
  readonly folderFor: (archiveDirectory: string) => string;
  /** Deleted files larger than this are not copied (Archived false, tooLarge). Default 128 MiB. */
  readonly maxFileBytes?: number;
  /** Events waiting for their copy. Default 64. */
  readonly queueLimit?: number;
  /** Creates the folder when it is missing; Windows passes createProtectedDirectory. Default: mkdir 0700. */
  readonly prepareDirectory?: (directory: string) => void | Promise<void>;
  readonly log?: (message: string) => void;
}

/**
 * Clipboard text by its Hashes value, from enrichment to the archive: events carry field text
 * only, and the copied text must never be a field (it may hold secrets; Sysmon keeps it out of the
 * event log for that reason). Bounded; an evicted text makes that event Archived false.
 */
export class ClipboardTexts {
  private readonly texts = new Map<string, string>();

  constructor(private readonly limit = 64) {}

  put(hashes: string, text: string): void {
    this.texts.delete(hashes);
    this.texts.set(hashes, text);
    if (this.texts.size > this.limit) {
      const oldest = this.texts.keys().next();
      if (!oldest.done) this.texts.delete(oldest.value);
    }
  }

  take(hashes: string): string | undefined {
    const text = this.texts.get(hashes);
    this.texts.delete(hashes);
    return text;
  }

  get size(): number {
    return this.texts.size;
  }
}

interface Job {
  readonly event: SysmonEvent;
  readonly publish: (event: SysmonEvent) => void;
  readonly afterCopy: (() => void) | undefined;
}

const FD = eventDef(23).fieldIndex;
const CB = eventDef(24).fieldIndex;
const F23 = { target: FD.get("TargetFilename")!, hashes: FD.get("Hashes")!, archived: FD.get("Archived")! };
const F24 = { hashes: CB.get("Hashes")!, archived: CB.get("Archived")! };
const LOG_INTERVAL_MS = 60_000;

async function defaultPrepare(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
}

type Outcome = { readonly ok: true; readonly hashes?: string } | { readonly ok: false; readonly reason: ArchiveFailure; readonly detail: string; readonly hashes?: string };

export class Archiver {
  private directory: string;
  private algorithms: readonly HashAlgorithm[];
  /** Where event 24's text waits between enrichment (which puts it) and the copy; give it to the enricher. */
  readonly clipboardTexts = new ClipboardTexts();
  private readonly queue: Job[] = [];
  private running: Promise<void> | null = null;
  private directoryReady = false;
  private readonly lastLogged = new Map<ArchiveFailure, number>();
  private counters = { archived: 0, bytesWritten: 0 };
  private readonly failures: Record<ArchiveFailure, number> = { sourceGone: 0, tooLarge: 0, directoryUnavailable: 0, writeFailed: 0, queueFull: 0, contentMissing: 0, notHeld: 0 };

  constructor(private readonly options: ArchiverOptions) {
    this.directory = options.folderFor(options.archiveDirectory);
    this.algorithms = options.hashAlgorithms;
  }

  /** Whether the engine should route an included event of this ID here. */
  handles(eventId: number): boolean {
    return eventId === 23 || eventId === 24;
  }

  /** A new config: its ArchiveDirectory and HashAlgorithms apply to the copies queued from now on. */
  configure(options: { readonly archiveDirectory: string; readonly hashAlgorithms: readonly HashAlgorithm[] }): void {
    const directory = this.options.folderFor(options.archiveDirectory);
    if (directory !== this.directory) this.directoryReady = false;
    this.directory = directory;
    this.algorithms = options.hashAlgorithms;
  }

  /** Queues the copy for an included event 23 or 24; `publish` receives it with Archived set. */
  submit(event: SysmonEvent, publish: (event: SysmonEvent) => void, options: ArchiveSubmitOptions = {}): void {
    const job: Job = { event, publish, afterCopy: options.afterCopy };
    if (options.notHeld === true) {
      this.settleWithoutCopy(job, { ok: false, reason: "notHeld", detail: "the driver's hold table was full, so the file was not held for its copy" });
      return;
    }
    // The copy in progress counts too: queueLimit is how many events may wait on the archive.
    if (this.queue.length + (this.running === null ? 0 : 1) >= (this.options.queueLimit ?? 64)) {
      this.settleWithoutCopy(job, { ok: false, reason: "queueFull", detail: "the archive queue is full" });
      return;
    }
    this.queue.push(job);
    this.running ??= this.run();
  }

  private settleWithoutCopy(job: Job, outcome: Outcome): void {
    try {
      this.afterCopy(job);
    } finally {
      this.finish(job, outcome);
    }
  }

  /** Lets the held operation go on; a failing answer is logged and never stops the archive. */
  private afterCopy(job: Job): void {
    try {
      job.afterCopy?.();
    } catch (error) {
      this.options.log?.(`archive: answering the held deletion failed: ${(error as Error).message}`);
    }
  }

  private async run(): Promise<void> {
    try {
      for (let job = this.queue.shift(); job !== undefined; job = this.queue.shift()) {
        let outcome: Outcome;
        try {
          outcome = job.event.id === 23 ? await this.archiveDeletedFile(job.event) : await this.archiveClipboard(job.event);
        } catch (error) {
          outcome = { ok: false, reason: "writeFailed", detail: (error as Error).message };
        } finally {
          // The copy is done or failed: the deletion may go on before the event is published.
          this.afterCopy(job);
        }
        try {
          this.finish(job, outcome);
        } catch (error) {
          // A consumer failing on one event must not leave the queued copies (and their held deletions) waiting.
          this.options.log?.(`archive: publishing ${job.event.id} failed: ${(error as Error).message}`);
        }
      }
    } finally {
      this.running = null;
    }
  }

  private finish(job: Job, outcome: Outcome): void {
    const fields = job.event.id === 23 ? F23 : F24;
    if (outcome.hashes !== undefined) job.event.values[fields.hashes] = outcome.hashes;
    job.event.values[fields.archived] = outcome.ok ? "true" : "false";
    if (!outcome.ok) {
      this.failures[outcome.reason]++;
      const now = Date.now();
      if (now - (this.lastLogged.get(outcome.reason) ?? -Infinity) >= LOG_INTERVAL_MS) {
        this.lastLogged.set(outcome.reason, now);
        this.options.log?.(`archive ${outcome.reason}: ${outcome.detail} (${this.failures[outcome.reason]} so far)`);
      }
    }
    job.publish(job.event);
  }

  private async archiveDeletedFile(event: SysmonEvent): Promise<Outcome> {
    const target = event.values[F23.target] ?? "-";
    const max = this.options.maxFileBytes ?? 128 * 1024 * 1024;
    let content: Buffer;
    try {
      const file = await open(target, "r");
      try {
        const size = (await file.stat()).size;
        if (size > max) return { ok: false, reason: "tooLarge", detail: `${target} is ${size} bytes, over the ${max}-byte limit` };
        content = await file.readFile();
      } finally {
        await file.close();
      }
    } catch (error) {
      return { ok: false, reason: "sourceGone", detail: `${target}: ${(error as Error).message}` };
    }
    const hashes = windowsHashesText(content, this.algorithms);
    return { ...(await this.store(deletedFileArchiveName(hashes, target), content)), hashes };
  }

  private async archiveClipboard(event: SysmonEvent): Promise<Outcome> {
    const hashes = event.values[F24.hashes] ?? "-";
    const text = this.clipboardTexts.take(hashes);
    if (text === undefined) return { ok: false, reason: "contentMissing", detail: `no clipboard text is waiting for ${hashes}` };
    return this.store(clipboardArchiveName(hashes), Buffer.from(text, "utf16le"));
  }

  /** Writes under a temporary name and renames, so a reader never sees a half-written copy. */
  private async store(name: string, content: Buffer): Promise<Outcome> {
    if (!this.directoryReady) {
      try {
        await (this.options.prepareDirectory ?? defaultPrepare)(this.directory);
        this.directoryReady = true;
      } catch (error) {
        return { ok: false, reason: "directoryUnavailable", detail: (error as Error).message };
      }
    }
    const finalPath = path.join(this.directory, name);
    const temporary = path.join(this.directory, `.${randomBytes(6).toString("hex")}.partial`);
    try {
      await writeFile(temporary, content, { flag: "wx" });
    } catch (error) {
      // A directory that vanished or turned read-only is prepared again next time.
      this.directoryReady = false;
      return { ok: false, reason: "writeFailed", detail: `${finalPath}: ${(error as Error).message}` };
    }
    try {
      await rename(temporary, finalPath);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      return { ok: false, reason: "writeFailed", detail: `${finalPath}: ${(error as Error).message}` };
    }
    this.counters.archived++;
    this.counters.bytesWritten += content.length;
    return { ok: true };
  }

  /** The folder copies go to under the current config. */
  get folder(): string {
    return this.directory;
  }

  stats(): ArchiverStats {
    return { ...this.counters, failed: { ...this.failures }, queued: this.queue.length };
  }

  /** Finishes every queued copy (each event is still published), then returns. */
  async close(): Promise<void> {
    while (this.running !== null) await this.running;
  }
}
