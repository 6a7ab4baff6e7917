import { eventFromFields } from "../schema";
import { TABLE_HEADER, renderTableRow } from "./table";

describe("renderTableRow", () => {
  const time = Date.UTC(2026, 10, 21, 15, 4, 5, 123);
  it("summarises time, ID, record, image and what was acted on within 120 columns", () => {
    const row = renderTableRow({ recordId: 981, timeCreated: time, computer: "h", event: eventFromFields(1, { Image: "/usr/bin/curl", CommandLine: "curl -s https://example.org/" + "a".repeat(300) }) });
    expect(row.startsWith("2026-11-21 15:04:05.123   1       981  /usr/bin/curl                  curl -s https://example.org/")).toBe(true);
    expect(row.length).toBeLessThanOrEqual(120);
    expect(TABLE_HEADER.length).toBeLessThanOrEqual(120);
  });

  it("shows network connections as source -> destination and flattens control characters", () => {
    const row = renderTableRow({ recordId: 1, timeCreated: time, computer: "h", event: eventFromFields(3, { Image: "/bin/n\nc", Protocol: "tcp", SourceIp: "10.0.0.1", SourcePort: "5000", DestinationIp: "1.1.1.1", DestinationPort: "443" }) });
    expect(row).toContain("/bin/n c");
    expect(row).toContain("tcp 10.0.0.1:5000 -> 1.1.1.1:443");
  });
});
