// decide() (lookups, substring automata, gates, per-field caches) must give exactly the
// {include, ruleName} of the plain reference evaluator (config.md §6–§9) for every corpus
// configuration, on every real OTRF event and on events built from each configuration's own
// rule values, which reach the rules (and their RuleName quirks) far more often.
import path from "node:path";
import { loadConfigFile } from "../../../engine/src/config";
import type { CompiledFilter, Platform, RuleSet } from "../../../engine/src/config";
import { decide } from "../../../engine/src/rules";
import { ALL_EVENTS, eventFromFields, findEvent } from "../../../engine/src/schema";
import type { SysmonEvent } from "../../../engine/src/schema";
import { CORPORA, corpusXmlFiles, otrfEvents } from "../../support/corpora";
import { referenceDecide } from "./reference-evaluator";

const corpora = CORPORA;

/** A seeded generator, so a failure reproduces. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const DOTTED_I = "\u0130";

/**
 * Events of the configuration's event types whose fields are built from its own filter values:
 * exact, re-cased, embedded in longer text, as a path's last part, cut short by a character,
 * with U+0130 (which folds to two characters on Windows), or a real value from the corpus.
 */
function eventsFromRules(rules: RuleSet, realValues: ReadonlyMap<string, readonly string[]>, options: { count: number; seed: number }): SysmonEvent[] {
  const random = randomFrom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const byField = new Map<string, string[]>();
  const add = (filter: CompiledFilter): void => {
    const list = byField.get(filter.field) ?? [];
    list.push(filter.matchValue);
    byField.set(filter.field, list);
  };
  for (const entry of rules.entries) for (const item of entry.items) (item.kind === "compound" ? item.filters : [item]).forEach(add);
  const ruleNames = new Set(rules.entries.map((e) => e.ruleName));
  const defs = ALL_EVENTS.filter((d) => d.ruleName && ruleNames.has(d.ruleName));
  if (defs.length === 0) return [];
  const recase = (text: string): string => [...text].map((c) => (random() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join("");
  const variant = (ruleValue: string): string => {
    const items = ruleValue.split(";");
    const item = random() < 0.5 ? ruleValue : pick(items);
    switch (Math.floor(random() * 8)) {
      case 0:
        return item;
      case 1:
        return recase(item);
      case 2:
        return `x ${item} y`;
      case 3:
        return `C:\\Some Dir\\${item}`;
      case 4:
        return item.slice(0, Math.max(1, item.length - 1));
      case 5:
        return item.replace(/i/i, DOTTED_I);
      case 6:
        return items.filter(() => random() < 0.6).join(" ");
      default:
        return `${recase(item)}\\${pick(items)}`;
    }
  };
  const events: SysmonEvent[] = [];
  for (let n = 0; n < options.count; n++) {
    const def = pick(defs);
    const fields: Record<string, string> = {};
    for (const field of def.fields) {
      const ruleValues = byField.get(field.name);
      const roll = random();
      if (ruleValues && roll < 0.55) fields[field.name] = variant(pick(ruleValues));
      else if (roll < 0.85) fields[field.name] = pick(realValues.get(field.name) ?? ["-"]);
    }
    events.push(eventFromFields(def.id, fields));
  }
  return events;
}

function realValuesByField(events: readonly SysmonEvent[]): Map<string, string[]> {
  const values = new Map<string, Set<string>>();
  for (const event of events) {
    const def = findEvent(event.id);
    def?.fields.forEach((field, i) => {
      const set = values.get(field.name) ?? new Set<string>();
      if (set.size < 200) set.add(event.values[i] ?? "-");
      values.set(field.name, set);
    });
  }
  return new Map([...values].map(([k, v]) => [k, [...v]]));
}

const CONFIG_SETS: readonly [set: string, platform: Platform][] = [
  ["configs-swiftonsecurity", "windows"],
  ["configs-sysmon-modular", "windows"],
  ["configs-sysmoncommon-unittests", "windows"],
  ["configs-pssysmontools", "windows"],
  ["configs-linux-mstic", "linux"],
  ["configs-linux-sysmonforlinux-rulestest", "linux"],
];

// The big configurations the benchmark measures get every OTRF event; every other one gets
// every OTRF event of the types it has rules for.
describe("decide() agrees with the reference evaluator", () => {
  const events = otrfEvents();
  const realValues = realValuesByField(events);

  it.each(CONFIG_SETS)("on every %s configuration (%s folding)", (set, platform) => {
    const files = corpusXmlFiles(path.join(corpora, set));
    let compared = 0;
    let loaded = 0;
    const differences: unknown[] = [];
    files.forEach((file, fileNumber) => {
      let rules: RuleSet;
      try {
        rules = loadConfigFile(file, { platform }).rules;
      } catch {
        return; // corpora.test.ts pins which files load; rejected ones decide nothing
      }
      loaded++;
      const ruleNames = new Set(rules.entries.map((e) => e.ruleName));
      const relevant = events.filter((e) => ruleNames.has(findEvent(e.id)?.ruleName ?? ""));
      const synthetic = eventsFromRules(rules, realValues, { count: 400, seed: fileNumber + 1 });
      for (const event of [...relevant, ...synthetic]) {
        // Twice: the second decision is answered from the per-field caches the first filled.
        for (let round = 0; round < 2; round++) {
          const fast = decide(rules, event);
          const reference = referenceDecide(rules, event);
          compared++;
          if (fast.include !== reference.include || fast.ruleName !== reference.ruleName) {
            if (differences.length < 5) differences.push({ file: path.relative(corpora, file), round, id: event.id, values: event.values, fast, reference });
          }
        }
      }
    });
    expect(differences).toEqual([]);
    expect(loaded).toBeGreaterThan(files.length / 2);
    expect(compared).toBeGreaterThan(loaded * 400);
  });

  it("agrees on the quirks the reference evaluator encodes (it would catch a wrong decide)", () => {
    const file = path.join(corpora, "configs-sysmon-modular/merged/sysmonconfig.xml");
    const rules = loadConfigFile(file, { platform: "windows" }).rules;
    const decisions = events.map((e) => referenceDecide(rules, e));
    // The oracle is not trivially permissive or strict: it includes some events and names some.
    expect(decisions.filter((d) => d.include).length).toBeGreaterThan(100);
    expect(decisions.filter((d) => !d.include).length).toBeGreaterThan(100);
    expect(decisions.filter((d) => d.include && d.ruleName !== "").length).toBeGreaterThan(50);
  });
});
