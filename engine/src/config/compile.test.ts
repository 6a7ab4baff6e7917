import { loadConfig } from "./load";

const rulesOf = (body: string) =>
  loadConfig(`<Sysmon schemaversion="4.90"><EventFiltering>${body}</EventFiltering></Sysmon>`, { file: "c.xml", platform: "windows" }).rules;

describe("compilation (config.md §5, §6.1, Appendix A)", () => {
  it("orders each event's candidates: exclude elements first, each half last-written first (§6.1)", () => {
    const rules = rulesOf(
      '<ProcessCreate onmatch="include"><Image>i1</Image></ProcessCreate><ProcessCreate onmatch="exclude"><Image>e1</Image></ProcessCreate>' +
        '<ProcessCreate onmatch="include"><Image>i2</Image></ProcessCreate><ProcessCreate onmatch="exclude"><Image>e2</Image></ProcessCreate>',
    );
    const order = rules.plans.get(1)?.entries.map((e) => (e.entry.items[0]?.kind === "filter" ? e.entry.items[0].value : ""));
    expect(order).toEqual(["e2", "e1", "i2", "i1"]);
  });

  it("plans every event of a group from the same elements, each filter read at its compiled index (§5.3)", () => {
    const rules = rulesOf('<RegistryEvent onmatch="include"><User>bob</User><TargetObject>x</TargetObject></RegistryEvent>');
    const indexOf = (eventId: number) => rules.plans.get(eventId)?.entries[0]?.items.map((i) => (i.compound ? -2 : i.index));
    expect(indexOf(12)).toEqual([7, 6]);
    expect(indexOf(13)).toEqual([-1, 6]);
    expect(indexOf(14)).toEqual([-1, 6]);
  });

  it("numbers compound rules across the configuration, counting ones written by a registry element's failed first binding", () => {
    const rules = rulesOf(
      '<ProcessCreate onmatch="include"><Rule><Image>a</Image></Rule></ProcessCreate>' +
        '<RegistryEvent onmatch="include"><Rule><TargetObject>t</TargetObject></Rule><Details>d</Details></RegistryEvent>' +
        '<NetworkConnect onmatch="include"><Rule><Image>n</Image></Rule></NetworkConnect>',
    );
    const ids = rules.entries.map((e) => [e.ruleName, e.eventId, e.items.flatMap((i) => (i.kind === "compound" ? [i.id] : []))]);
    // ProcessCreate's Rule is 1; NetworkConnect (event 3) comes next in manifest order with 2;
    // the RegistryEvent Rule is written once for event 12 (3), dropped when Details does not
    // fit, and written again for event 13 (4).
    expect(ids).toEqual([["ProcessCreate", 1, [1]], ["NetworkConnect", 3, [2]], ["RegistryEvent", 13, [4]]]);
  });

  it("keeps a filter's resolved name: its own, else its Rule's, else its RuleGroup's (§5.2)", () => {
    const rules = rulesOf('<RuleGroup name="G" groupRelation="or"><ProcessCreate onmatch="include"><Image name="F">a</Image><Rule name="R"><Image>b</Image></Rule><Image>c</Image></ProcessCreate></RuleGroup>');
    const names = rules.entries[0]?.items.flatMap((i) => (i.kind === "compound" ? i.filters.map((f) => f.name) : [i.name]));
    expect(names).toEqual(["F", "R", "G"]);
  });
});
