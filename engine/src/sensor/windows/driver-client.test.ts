// The requests the client sends (laid out as sysmonts_records.h declares them) and the record
// types SET_CONFIG asks for. The I/O itself runs against the real driver in
// test/windows/driver-client-wine.test.ts.
import { SysmonTsError } from "../../base";
import { DriverClient, blockDecisionRequest, configFlagsFor, configRequest, startRequest } from "./driver-client";
import { callTraceText, recordTypeMask } from "./driver-record-map";
import { CONFIG_FLAGS, REQUEST_LAYOUTS, placeFields } from "./driver-records";

function offsetsOf(symbol: string): Record<string, number> {
  const layout = REQUEST_LAYOUTS.find((l) => l.symbol === symbol);
  if (!layout) throw new Error(symbol);
  return Object.fromEntries(placeFields(layout.fields, 0).fields.map((f) => [f.name, f.offset]));
}

describe("driver requests", () => {
  it("START_REQUEST: protocolVersion at +0, servicePid at +4 (8 bytes)", () => {
    const at = offsetsOf("START_REQUEST");
    const b = startRequest(4321);
    expect(b).toHaveLength(8);
    expect(b.readUInt32LE(at["protocolVersion"]!)).toBe(1);
    expect(b.readUInt32LE(at["servicePid"]!)).toBe(4321);
  });

  it("CONFIG_REQUEST: version +0, enabledRecordTypes +4, blockTimeoutMs +8, flags +12", () => {
    const at = offsetsOf("CONFIG_REQUEST");
    const b = configRequest(0x80001006, { blockTimeoutMs: 750 });
    expect(b.toString("hex")).toBe("01000000" + "06100080" + "ee020000" + "00000000");
    expect(b.readUInt32LE(at["enabledRecordTypes"]!)).toBe(0x80001006);
    expect(b.readUInt32LE(at["blockTimeoutMs"]!)).toBe(750);
    const holding = configRequest(0x100, { blockTimeoutMs: 1000, flags: CONFIG_FLAGS.HOLD_DELETES });
    expect(holding.toString("hex")).toBe("01000000" + "00010000" + "e8030000" + "01000000");
    expect(holding.readUInt32LE(at["flags"]!)).toBe(1);
  });

  it("asks the driver to hold deletions only when the service archives and event 23 can be included", () => {
    expect(configFlagsFor(new Set([1, 23, 26]), { archiveDeletes: true })).toBe(CONFIG_FLAGS.HOLD_DELETES);
    // 26 alone never archives (FileDeleteDetected has no copy), nor does a service without the stage.
    expect(configFlagsFor(new Set([1, 26]), { archiveDeletes: true })).toBe(0);
    expect(configFlagsFor(new Set([1, 23]), { archiveDeletes: false })).toBe(0);
  });

  it("BLOCK_DECISION_REQUEST: requestId +0 (u64), block +8", () => {
    const at = offsetsOf("BLOCK_DECISION_REQUEST");
    const b = blockDecisionRequest(0x1_0000_0002n, true);
    expect(b).toHaveLength(16);
    expect(b.readBigUInt64LE(at["requestId"]!)).toBe(0x1_0000_0002n);
    expect(b.readUInt32LE(at["block"]!)).toBe(1);
    expect(blockDecisionRequest(7n, false).readUInt32LE(8)).toBe(0);
  });
});

describe("SET_CONFIG record types", () => {
  const bit = (type: number) => 1 << type;
  const always = bit(1) | bit(2);

  it("always asks for process create and exit, which the process cache needs", () => {
    expect(recordTypeMask(new Set())).toBe(always);
  });

  it("maps each event to its record type, and 27/28 alone turn BLOCK_REQUEST on", () => {
    expect(recordTypeMask(new Set([2]))).toBe(always | bit(9));
    expect(recordTypeMask(new Set([6, 7, 8, 10]))).toBe(always | bit(4) | bit(3) | bit(6));
    expect(recordTypeMask(new Set([11, 12, 15, 17]))).toBe(always | bit(7) | bit(5) | bit(10) | bit(11));
    expect(recordTypeMask(new Set([23, 26]))).toBe(always | bit(8));
    expect(recordTypeMask(new Set([1, 3, 5, 22]))).toBe(always);
    expect(recordTypeMask(new Set([27])) & bit(12)).toBe(bit(12));
    expect(recordTypeMask(new Set([28])) & bit(12)).toBe(bit(12));
    expect(recordTypeMask(new Set([11, 23])) & bit(12)).toBe(0);
  });
});

describe("CallTrace", () => {
  it("prints each return address as UNKNOWN(16 uppercase hex digits), keeping anything else as given", () => {
    expect(callTraceText("7ffb5f3e3e8a|0xFFFFF80312345678")).toBe("UNKNOWN(00007FFB5F3E3E8A)|UNKNOWN(FFFFF80312345678)");
    expect(callTraceText("")).toBe("");
    expect(callTraceText("garbage|")).toBe("UNKNOWN(garbage)");
  });
});

describe("opening off Windows", () => {
  it("fails with a SysmonTsError instead of touching koffi's Windows entry points", () => {
    let thrown: unknown;
    try {
      DriverClient.open();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SysmonTsError);
    expect((thrown as SysmonTsError).code).toBe("SYSMONTS_E_SENSOR");
    expect((thrown as SysmonTsError).message).toBe("the SysmonTs driver can be opened only on Windows");
  });
});
