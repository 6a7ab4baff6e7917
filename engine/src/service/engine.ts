import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SysmonTsError } from "../base";
import { type LoadedConfig, defaultConfig, loadConfig, loadConfigFile } from "../config";
import { applyFieldSizes, canInclude, decide } from "../rules";
import { ALL_EVENTS, type StampedEvent, type SysmonEvent, eventDef, eventFromFields, formatUtcTime } from "../schema";
import type { FileBlockRecord, FileDeleteRecord, Sensor, WindowsDetails } from "../sensor";
import { type ArchiveSubmitOptions, type Archiver, type Enricher, createEnricher } from "../enrich";
import { type EventQuery, type EventStore, type QueryPage, openStore } from "../store";
import { type Sink, createSinks } from "../output";
import { EventCounters } from "./event-counters";
import { LossReporter, type LossSource } from "./loss-reporter";
import type { EngineSettings } from "./settings";
import { type EventFilter, Subscriptions } from "./subscriptions";
import { VERSION, SCHEMA_VERSION } from "./version";

export type Platform = "linux" | "windows";

export interface EngineOptions {
  readonly platform: Platform;
  /** The config file, or null for the built-in default (what `-c --` resets to). */
  readonly configPath: string | null;
  /** How the config was named on the command line, for event 16 (spec/cli-and-output.md §4). */
  readonly configArgument?: string;
  readonly settings: EngineSettings;
  /** Opens the platform's kernel sensor for the event IDs that can be included. */
  readonly openSensor: (enabledEvents: ReadonlySet<number>) => Sensor;
  /**
   * Where an accepted `config.set` is written so a restart resumes with it (the installed copy),
   * with the name event 16 gives it ("Defaults" after a reset).
   */
  readonly persistConfig?: (xml: string, configArgument: string) => void;
  /** Every kept event, after the store and sinks (the foreground console). */
  readonly onEvent?: (event: StampedEvent) => void;
  readonly log?: (level: "info" | "warn" | "error", message: string) => void;
  /** How often the sensor is drained (default 20 ms): low latency without per-record wake-ups (notes/linux-ebpf.md §9). */
  readonly drainIntervalMs?: number;
  /** Windows: image version, signature, account and logon facts for events 1, 6 and 7. */
  readonly windowsDetails?: WindowsDetails;
  /** Windows ArchiveDirectory stage: included events 23 and 24 are published once their copy is done. */
  readonly archiver?: Archiver;
  /** Every config that takes effect after start (config.set, reload, reset): options read outside the engine follow it. */
  readonly onConfigApplied?: (config: LoadedConfig) => void;
}

export interface EngineStatus {
  readonly version: string;
  readonly pid: number;
  readonly uptimeSeconds: number;
  readonly platform: Platform;
  readonly config: { readonly file: string; readonly hash: string; readonly schemaVersion: string };
  readonly sensor: { readonly state: string; readonly produced: number; readonly lostRingBuffer: number; readonly malformed: number };
  readonly events: Record<string, { seen: number; kept: number; excluded: number; dropped: number }>;
  readonly store: Record<string, unknown> | null;
  readonly sinks: readonly Record<string, unknown>[];
  readonly subscribers: number;
}

function enabledEventIds(config: LoadedConfig): Set<number> {
  return new Set(ALL_EVENTS.filter((e) => e.ruleName !== null && canInclude(config.rules, e.id)).map((e) => e.id));
}

/**
 * The running monitor: drains the sensor on a timer and sends every record through enrich →
 * decide → stamp → store, sinks, console and subscribers. It owns every resource it opens
 * and releases them in reverse order in stop().
 */
export class Engine {
  private config: LoadedConfig;
  private readonly counters = new EventCounters();
  private readonly subscriptions = new Subscriptions();
  private readonly computer = os.hostname();
  private readonly startedAt = Date.now();
  private lastRecordId = 0;
  private drainTimer: NodeJS.Timeout | undefined;
  private lossTimer: NodeJS.Timeout | undefined;
  private lossReporter: LossReporter | undefined;
  private sensor: Sensor | undefined;
  private sensorState = "starting";
  private enricher: Enricher | undefined;
  private store: EventStore | undefined;
  private sinks: Sink[] = [];
  private storeErrors = 0;
  private stopped = false;
  private readonly log: NonNullable<EngineOptions["log"]>;
  private readonly emitEnriched = (event: SysmonEvent): void => {
    this.decideAndPublish(event);
  };

  private constructor(private readonly options: EngineOptions, config: LoadedConfig) {
    this.config = config;
    this.log = options.log ?? (() => undefined);
  }

  static async start(options: EngineOptions): Promise<Engine> {
    const config = options.configPath === null ? defaultConfig(options.platform) : loadConfigFile(options.configPath, { platform: options.platform });
    const engine = new Engine(options, config);
    try {
      await engine.open();
    } catch (error) {
      await engine.stop({ quiet: true });
      throw error;
    }
    return engine;
  }

  private async open(): Promise<void> {
    const { settings } = this.options;
    if (settings.store.path !== null) {
      // The default store lives in /var/lib/sysmonts, which nothing else creates.
      mkdirSync(path.dirname(settings.store.path), { recursive: true, mode: 0o700 });
      this.store = openStore(settings.store.path, {
        maxBytes: settings.store.maxBytes,
        maxAgeDays: settings.store.maxAgeDays,
        onError: (error) => {
          this.storeErrors++;
          this.publishError("StoreFailed", error.message);
        },
      });
      this.lastRecordId = this.store.newestRecordId();
    }
    this.sinks = createSinks(settings.sinks);
    this.enricher = createEnricher({
      hashAlgorithms: this.config.options.hashAlgorithms,
      selfPid: process.pid,
      log: (message) => this.log("info", message),
      ...(this.options.windowsDetails === undefined ? {} : { windowsDetails: this.options.windowsDetails }),
      ...(this.options.archiver === undefined ? {} : { clipboardTexts: this.options.archiver.clipboardTexts }),
    });
    this.enricher.seedFromProc();
    this.options.archiver?.configure(this.config.options);
    this.sensor = this.options.openSensor(enabledEventIds(this.config));
    this.sensorState = "running";
    this.lossReporter = new LossReporter(this.lossSources());

    // Sysmon's order at start: event 16 for the config, then event 4 "Started" (spec §3.1 step 8).
    this.publishConfigChange(this.options.configArgument ?? this.config.file);
    this.publishServiceState("Started");

    this.drainTimer = setInterval(() => this.drain(), this.options.drainIntervalMs ?? 20);
    this.lossTimer = setInterval(() => this.lossReporter?.check((id, description) => this.publishError(id, description)), 1000);
  }

  private lossSources(): LossSource[] {
    const sources: LossSource[] = [
      { id: "RingBufferFull", what: "records lost because the kernel ring buffer was full", total: () => this.sensor?.counters().lostRingBuffer ?? 0 },
      { id: "MalformedRecord", what: "kernel records that could not be decoded", total: () => this.sensor?.counters().malformed ?? 0 },
      { id: "StoreQueueFull", what: "events not stored because the store's queue was full", total: () => this.store?.status().dropped ?? 0 },
    ];
    for (const sink of this.sinks) {
      sources.push({ id: `SinkDropped:${sink.name}`, what: `events dropped by the ${sink.name} sink (queue full or collector unreachable)`, total: () => sink.stats().dropped });
    }
    return sources;
  }

  /** One drain of the sensor: the whole hot path runs synchronously inside this call. */
  drain(): number {
    if (!this.sensor || !this.enricher) return 0;
    const enricher = this.enricher;
    try {
      const count = this.sensor.drain((record) => {
        if (record.kind === "file-block") this.decideBlock(record, enricher);
        else if (record.kind === "file-delete" && (record.hold !== undefined || record.holdUnavailable === true)) this.archiveHeldDelete(record, enricher);
        else enricher.enrich(record, this.emitEnriched);
      });
      enricher.tick(Date.now(), this.emitEnriched);
      return count;
    } catch (error) {
      // A bug on one record must not stop monitoring; it is reported and the drain goes on next tick.
      this.publishError("PipelineFailure", `record processing failed: ${(error as Error).message}`);
      return 0;
    }
  }

  /**
   * Events 27/28 decide an operation the driver is holding: a FileBlockExecutable or
   * FileBlockShredding rule that includes the event blocks it. The answer goes back even when
   * enrichment fails, so the file system never waits for the driver's timeout because of us.
   */
  private decideBlock(record: FileBlockRecord, enricher: Enricher): void {
    let block = false;
    try {
      enricher.enrich(record, (event) => {
        if (this.decideAndPublish(event) !== "excluded") block = true;
      });
    } finally {
      record.answer(block);
    }
  }

  /**
   * A deletion the driver holds until its file is archived (event 23): the hold goes to the
   * archiver, which releases it once the copy is done or failed. When nothing is archived (23
   * excluded, no archive stage, enrichment dropped or threw) it is released here at once, so the
   * deleting process never waits for the driver's timeout because of us.
   */
  private archiveHeldDelete(record: FileDeleteRecord, enricher: Enricher): void {
    const hold = record.hold;
    const copy: ArchiveSubmitOptions = { ...(hold === undefined ? {} : { afterCopy: () => hold.release() }), notHeld: record.holdUnavailable === true };
    let handedOver = false;
    try {
      enricher.enrich(record, (event) => {
        if (this.decideAndPublish(event, event.id === 23 ? copy : undefined) === "archiving") handedOver = true;
      });
    } finally {
      if (!handedOver) hold?.release();
    }
  }

  /**
   * Decides and publishes one event: "archiving" when it went to the archive stage (published
   * once its copy is done, `copy` handed along), "published" when kept, "excluded" otherwise.
   */
  private decideAndPublish(event: SysmonEvent, copy?: ArchiveSubmitOptions): "excluded" | "published" | "archiving" {
    this.counters.countSeen(event.id);
    const decision = decide(this.config.rules, event);
    if (!decision.include) {
      this.counters.countExcluded(event.id);
      return "excluded";
    }
    const def = eventDef(event.id);
    if (def.ruleNameIndex >= 0) event.values[def.ruleNameIndex] = decision.ruleName === "" ? "-" : decision.ruleName;
    // FieldSizes trims after the decision, so rules always see the whole value (config.md §3.1).
    const archiver = this.options.archiver;
    if (archiver?.handles(event.id)) {
      archiver.submit(event, (archived) => this.publish(applyFieldSizes(this.config.options, archived)), copy);
      return "archiving";
    }
    this.publish(applyFieldSizes(this.config.options, event));
    return "published";
  }

  /** Stamps a kept event and hands it to every consumer. Events 4, 16 and 255 enter here directly. */
  private publish(event: SysmonEvent): void {
    const stamped: StampedEvent = { recordId: ++this.lastRecordId, timeCreated: Date.now(), computer: this.computer, event };
    this.counters.countKept(event.id);
    if (this.store && !this.store.append(stamped)) this.counters.countDropped(event.id);
    for (const sink of this.sinks) sink.write(stamped);
    if (this.options.onEvent) this.options.onEvent(stamped);
    this.subscriptions.publish(stamped);
  }

  private publishServiceState(state: "Started" | "Stopped"): void {
    this.publish(eventFromFields(4, { UtcTime: formatUtcTime(Date.now()), State: state, Version: VERSION, SchemaVersion: SCHEMA_VERSION }));
  }

  private publishConfigChange(configuration: string): void {
    this.publish(eventFromFields(16, { UtcTime: formatUtcTime(Date.now()), Configuration: configuration, ConfigurationFileHash: this.config.hash }));
  }

  private publishError(id: string, description: string): void {
    if (this.stopped) return;
    this.log("warn", `${id}: ${description}`);
    this.publish(eventFromFields(255, { UtcTime: formatUtcTime(Date.now()), ID: id, Description: description }));
  }

  get platform(): Platform {
    return this.options.platform;
  }

  get loadedConfig(): LoadedConfig {
    return this.config;
  }

  /**
   * Replaces the running config atomically: a config that does not load throws with its
   * positioned errors and leaves everything as it was.
   */
  applyConfig(xml: string, file: string): LoadedConfig {
    const next = loadConfig(xml, { file, platform: this.options.platform });
    this.options.persistConfig?.(xml, file);
    this.config = next;
    this.enricher?.setHashAlgorithms(next.options.hashAlgorithms);
    this.options.archiver?.configure(next.options);
    this.sensor?.setEnabledEvents(enabledEventIds(next));
    this.publishConfigChange(file);
    this.options.onConfigApplied?.(next);
    return next;
  }

  /** Resets to the default config (`-c --`); event 16 then names "Defaults". */
  applyDefaultConfig(): LoadedConfig {
    const next = defaultConfig(this.options.platform);
    this.options.persistConfig?.(next.text, "Defaults");
    this.config = next;
    this.enricher?.setHashAlgorithms(next.options.hashAlgorithms);
    this.options.archiver?.configure(next.options);
    this.sensor?.setEnabledEvents(enabledEventIds(next));
    this.publishConfigChange("Defaults");
    this.options.onConfigApplied?.(next);
    return next;
  }

  async query(query: EventQuery): Promise<QueryPage> {
    if (!this.store) throw new SysmonTsError("SYSMONTS_E_STORE", "this engine keeps no event store (settings store.path is null)");
    return this.store.query(query);
  }

  subscribe(filter: EventFilter, listener: (event: StampedEvent) => void): () => void {
    return this.subscriptions.add(filter, listener);
  }

  status(): EngineStatus {
    const counters = this.sensor?.counters();
    return {
      version: VERSION,
      pid: process.pid,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      platform: this.options.platform,
      config: { file: this.config.file, hash: this.config.hash, schemaVersion: this.config.schemaVersion },
      sensor: { state: this.sensorState, produced: counters?.produced ?? 0, lostRingBuffer: counters?.lostRingBuffer ?? 0, malformed: counters?.malformed ?? 0 },
      events: this.counters.snapshot(),
      store: this.store ? { ...this.store.status() } : null,
      sinks: this.sinks.map((s) => ({ name: s.name, ...s.stats() })),
      subscribers: this.subscriptions.size,
    };
  }

  /** Stops monitoring: event 4 "Stopped", then everything closed in reverse order of opening. */
  async stop(options: { quiet?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    clearInterval(this.drainTimer);
    clearInterval(this.lossTimer);
    if (this.sensor && !options.quiet) {
      this.drain();
      this.publishServiceState("Stopped");
    }
    this.stopped = true;
    this.subscriptions.clear();
    this.sensor?.close();
    this.sensorState = "stopped";
    this.enricher?.close();
    // Queued archive copies finish first: their events still reach the store and sinks.
    await this.options.archiver?.close();
    for (const sink of this.sinks) await sink.close();
    await this.store?.close();
  }
}
