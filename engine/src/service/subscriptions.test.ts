import { eventFromFields, type StampedEvent } from "../schema";
import { Subscriptions, compileFilter } from "./subscriptions";

function stamped(id: number, fields: Record<string, string | number>): StampedEvent {
  return { recordId: 1, timeCreated: 0, computer: "h", event: eventFromFields(id, fields) };
}

describe("subscriptions", () => {
  const bash = stamped(1, { Image: "/usr/bin/bash", CommandLine: "bash -c 'echo hi'" });
  const net = stamped(3, { Image: "/usr/bin/curl", DestinationPort: 443 });

  it("filters by ID and by fields, ignoring case", () => {
    expect(compileFilter({ ids: [3] })(net)).toBe(true);
    expect(compileFilter({ ids: [3] })(bash)).toBe(false);
    expect(compileFilter({ where: [{ field: "image", op: "endswith", value: "/BASH" }] })(bash)).toBe(true);
    expect(compileFilter({ where: [{ field: "CommandLine", op: "wildcard", value: "bash*ECHO*" }] })(bash)).toBe(true);
    expect(compileFilter({ where: [{ field: "DestinationPort", op: "eq", value: "443" }] })(net)).toBe(true);
    expect(compileFilter({ where: [{ field: "DestinationPort", op: "eq", value: "443" }] })(bash)).toBe(false);
    // As in a store query: an event without the field matches no condition on it, "ne" included.
    expect(compileFilter({ where: [{ field: "DestinationPort", op: "ne", value: "443" }] })(bash)).toBe(false);
    expect(compileFilter({ where: [{ field: "DestinationPort", op: "ne", value: "80" }] })(net)).toBe(true);
    expect(compileFilter({ where: [{ field: "Image", op: "contains", value: "cur" }, { field: "Image", op: "startswith", value: "/usr" }] })(net)).toBe(true);
  });

  it("delivers to matching listeners and drops a listener that throws", () => {
    const subscriptions = new Subscriptions();
    const got: number[] = [];
    const unsubscribe = subscriptions.add({ ids: [1] }, (e) => got.push(e.event.id));
    subscriptions.add({}, () => {
      throw new Error("broken client");
    });
    subscriptions.publish(bash);
    subscriptions.publish(net);
    expect(got).toEqual([1]);
    expect(subscriptions.size).toBe(1);
    unsubscribe();
    expect(subscriptions.size).toBe(0);
  });
});
