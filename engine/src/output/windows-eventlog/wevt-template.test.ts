// Reads the generated WEVT_TEMPLATE back structurally, following libfwevt's "Windows Event
// manifest binary format" document rather than wevt-template.ts: the 2018 libfwevt in Debian's
// libevtx1 (test/windows/eventlog-libfwevt.test.ts) has no getters for event versions, levels,
// tasks, channels or template GUIDs, so this reader checks those against the catalogue.
import { eventDef } from "../../schema";
import { guidFromBytes } from "./guid";
import { EVENTLOG_CHANNEL_KEYWORD, EVENTLOG_CHANNEL_NAME, EVENTLOG_PROVIDER_GUID, MESSAGE_ID, taskEventGuid, windowsEvents } from "./manifest";
import { buildWevtTemplate, fieldInTypeCode, fieldOutTypeCode, templateGuid } from "./wevt-template";

interface ReadEvent {
  id: number;
  version: number;
  channel: number;
  level: number;
  opcode: number;
  task: number;
  keywords: bigint;
  messageId: number;
  levelDefinition: { id: number; messageId: number; name: string };
  opcodeDefinition: { id: number; messageId: number; name: string };
  taskDefinition: { id: number; messageId: number; guid: string; name: string };
  template: { guid: string; items: { inType: number; outType: number; name: string }[] };
}

interface ReadManifest {
  provider: string;
  providerMessageId: number;
  channels: { id: number; messageId: number; name: string }[];
  events: ReadEvent[];
}

/** A reader of the compiled manifest, by the libfwevt document's tables; throws on what it cannot place. */
function readWevtTemplate(data: Buffer): ReadManifest {
  const expectSignature = (at: number, signature: string): void => {
    const found = data.toString("latin1", at, at + 4);
    if (found !== signature) throw new Error(`expected ${signature} at ${at}, found ${JSON.stringify(found)}`);
  };
  const u32 = (at: number): number => {
    if (at + 4 > data.length) throw new Error(`offset ${at} is past the end (${data.length})`);
    return data.readUInt32LE(at);
  };
  /** Size-prefixed UTF-16 string ("… data": size including itself, then the text and a NUL). */
  const sizedString = (at: number): string => data.toString("utf16le", at + 4, at + u32(at)).replace(/\0[\s\S]*$/, "");

  expectSignature(0, "CRIM");
  if (u32(4) !== data.length) throw new Error(`CRIM size ${u32(4)} is not the resource size ${data.length}`);
  if (u32(12) !== 1) throw new Error(`expected one provider, found ${u32(12)}`);
  const provider = guidFromBytes(data, 16);
  const wevt = u32(32);
  expectSignature(wevt, "WEVT");
  const elements = new Map<string, number>();
  for (let i = 0; i < u32(wevt + 12); i++) {
    const at = u32(wevt + 20 + i * 8);
    elements.set(data.toString("latin1", at, at + 4), at);
  }
  const element = (signature: string): number => {
    const at = elements.get(signature);
    if (at === undefined) throw new Error(`no ${signature} element`);
    return at;
  };

  const chan = element("CHAN");
  const channels = Array.from({ length: u32(chan + 8) }, (_x, i) => {
    const at = chan + 12 + i * 16;
    return { id: u32(at), name: sizedString(u32(at + 4)), messageId: u32(at + 12) };
  });
  const levelAt = (at: number) => ({ id: u32(at), messageId: u32(at + 4), name: sizedString(u32(at + 8)) });
  const taskAt = (at: number) => ({ id: u32(at), messageId: u32(at + 4), guid: guidFromBytes(data, at + 8), name: sizedString(u32(at + 24)) });
  const templateAt = (at: number) => {
    expectSignature(at, "TEMP");
    const count = u32(at + 8);
    const itemsAt = u32(at + 16);
    return {
      guid: guidFromBytes(data, at + 24),
      items: Array.from({ length: count }, (_x, i) => {
        const item = itemsAt + i * 20;
        return { inType: data.readUInt8(item + 4), outType: data.readUInt8(item + 5), name: sizedString(u32(item + 16)) };
      }),
    };
  };

  const evnt = element("EVNT");
  const events = Array.from({ length: u32(evnt + 8) }, (_x, i): ReadEvent => {
    const at = evnt + 16 + i * 48;
    return {
      id: data.readUInt16LE(at),
      version: data.readUInt8(at + 2),
      channel: data.readUInt8(at + 3),
      level: data.readUInt8(at + 4),
      opcode: data.readUInt8(at + 5),
      task: data.readUInt16LE(at + 6),
      keywords: data.readBigUInt64LE(at + 8),
      messageId: u32(at + 16),
      template: templateAt(u32(at + 20)),
      opcodeDefinition: levelAt(u32(at + 24)),
      levelDefinition: levelAt(u32(at + 28)),
      taskDefinition: taskAt(u32(at + 32)),
    };
  });
  return { provider, providerMessageId: u32(wevt + 8), channels, events };
}

describe("buildWevtTemplate read back by the libfwevt document's layout", () => {
  const manifest = readWevtTemplate(buildWevtTemplate());

  test("our provider and its one channel, SysmonTs/Operational, value 16", () => {
    expect(manifest.provider.toUpperCase()).toBe(EVENTLOG_PROVIDER_GUID.toUpperCase());
    expect(manifest.providerMessageId).toBe(MESSAGE_ID.provider);
    expect(manifest.channels).toEqual([{ id: 16, name: EVENTLOG_CHANNEL_NAME, messageId: MESSAGE_ID.channel }]);
  });

  test("every Windows event of the catalogue, once, in ID order", () => {
    expect(manifest.events.map((e) => e.id)).toEqual(windowsEvents().map((d) => d.id).sort((a, b) => a - b));
    expect(manifest.events.map((e) => e.id)).not.toContain(100);
  });

  test("each event's version, level, task, opcode, keywords, channel and message as the catalogue gives them", () => {
    for (const read of manifest.events) {
      const def = eventDef(read.id);
      expect({ id: read.id, version: read.version, level: read.level, task: read.task, opcode: read.opcode }).toEqual({
        id: def.id, version: def.version, level: def.levelValue, task: def.id, opcode: 0,
      });
      expect(read.keywords).toBe(EVENTLOG_CHANNEL_KEYWORD);
      expect(manifest.channels.map((c) => c.id)).toContain(read.channel);
      expect(read.messageId).toBe(MESSAGE_ID.event(def.id));
      expect(read.levelDefinition).toEqual({ id: def.levelValue, messageId: MESSAGE_ID.level(def.levelValue), name: `win:${def.level}` });
      expect(read.opcodeDefinition).toEqual({ id: 0, messageId: MESSAGE_ID.opcode(0), name: "win:Info" });
      expect(read.taskDefinition).toEqual({ id: def.id, messageId: MESSAGE_ID.task(def.id), guid: expect.any(String), name: def.symbol });
      expect(read.taskDefinition.guid.toUpperCase()).toBe(taskEventGuid(def.id).toUpperCase());
    }
  });

  test("Sysmon's versions for a few events (spec/events.md §2): 1 v5, 4 v3, 8 v2, 17 v1, 23 v5", () => {
    const versionOf = (id: number) => manifest.events.find((e) => e.id === id)?.version;
    expect([1, 4, 8, 17, 23].map(versionOf)).toEqual([5, 3, 2, 1, 5]);
  });

  test("each event's template: its stable GUID and its fields by name and type in manifest order", () => {
    for (const read of manifest.events) {
      const def = eventDef(read.id);
      expect(read.template.guid.toUpperCase()).toBe(templateGuid(def).toUpperCase());
      expect(read.template.items).toEqual(def.fields.map((f) => ({ inType: fieldInTypeCode(f), outType: fieldOutTypeCode(f), name: f.name })));
    }
    expect(new Set(manifest.events.map((e) => e.template.guid)).size).toBe(manifest.events.length);
  });

  test("the reader refuses a damaged resource instead of reading garbage", () => {
    const damaged = buildWevtTemplate();
    damaged.write("XXXX", damaged.readUInt32LE(32), "latin1");
    expect(() => readWevtTemplate(damaged)).toThrow(/expected WEVT at \d+/);
    expect(() => readWevtTemplate(buildWevtTemplate().subarray(0, 64))).toThrow(/CRIM size/);
  });
});
