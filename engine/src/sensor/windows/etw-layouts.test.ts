import { EVENT_TRACE_LOGFILEW_SIZE, EVENT_TRACE_PROPERTIES_SIZE, buildTraceLogfile, buildTraceProperties, readTraceStatus, wideString } from "./etw-layouts";

describe("EVENT_TRACE_PROPERTIES", () => {
  test("describes a real-time session with system-time stamps and the name after the struct", () => {
    const b = buildTraceProperties({ bufferSizeKb: 128, maximumBuffers: 32 });
    expect(b.readUInt32LE(0)).toBe(b.length); // Wnode.BufferSize covers the name room
    expect(b.length).toBeGreaterThan(EVENT_TRACE_PROPERTIES_SIZE + 2 * 256);
    expect(b.readUInt32LE(40)).toBe(2); // Wnode.ClientContext = system time
    expect(b.readUInt32LE(44)).toBe(0x20000); // WNODE_FLAG_TRACED_GUID
    expect(b.readUInt32LE(48)).toBe(128);
    expect(b.readUInt32LE(56)).toBe(32);
    expect(b.readUInt32LE(64)).toBe(0x100); // EVENT_TRACE_REAL_TIME_MODE
    expect(b.readUInt32LE(112)).toBe(0); // no log file
    expect(b.readUInt32LE(116)).toBe(120); // LoggerNameOffset
  });

  test("reads the loss counters QUERY writes back", () => {
    const b = buildTraceProperties();
    b.writeUInt32LE(16, 80);
    b.writeUInt32LE(3, 88);
    b.writeUInt32LE(2, 100);
    expect(readTraceStatus(b)).toEqual({ numberOfBuffers: 16, eventsLost: 3, realTimeBuffersLost: 2 });
  });
});

describe("EVENT_TRACE_LOGFILEW", () => {
  test("names the session, asks for real-time EVENT_RECORD delivery and carries the callback", () => {
    const b = buildTraceLogfile({ loggerNameAddress: 0x1122334455n, callbackAddress: 0x7ff612345678n });
    expect(b.length).toBe(EVENT_TRACE_LOGFILEW_SIZE);
    expect(b.readBigUInt64LE(0)).toBe(0n); // LogFileName: none, real time
    expect(b.readBigUInt64LE(8)).toBe(0x1122334455n);
    expect(b.readUInt32LE(28)).toBe(0x10000100);
    expect(b.readBigUInt64LE(424)).toBe(0x7ff612345678n);
    expect(b.readBigUInt64LE(440)).toBe(0n);
  });

  test("wide strings are NUL-terminated UTF-16LE", () => {
    expect(wideString("Ab").toString("hex")).toBe("410062000000");
  });
});
