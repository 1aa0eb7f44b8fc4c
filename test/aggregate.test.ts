/**
 * Aggregates (src/report/aggregate.ts): groups by Computer, object category, process name,
 * TargetFilename and carved, whatever the order events and merged entries come in. A property
 * test against a plain grouping by a JSON key, with values that share prefixes, repeat as the
 * same string object or as equal copies, and carry NUL characters (a joined key could mix
 * such groups up).
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AggregateEntry, Aggregates } from "../src/report/aggregate.js";
import { type MatchedEvent, RULE } from "../src/rule/rule.js";

const text = fc.constantFrom("WS01", "WS01\u0000file", "ws01", "", "a\u0000", "Taskmgr.exe", "C:\\x\\lsass.dmp");
const time = fc.constantFrom(
  "",
  "2024-01-01T00:00:00.000000000",
  "2024-01-01T00:00:01.500000000",
  "1999-12-31T23:59:59.999999999",
);
const event: fc.Arbitrary<MatchedEvent> = fc
  .record({ dest: text, processName: text, targetFilename: text, time, carved: fc.boolean(), copy: fc.boolean() })
  .map(({ copy, carved, ...e }) => {
    // Equal strings that are not the same object, as a parser that does not intern gives them.
    const c = (s: string) => (copy ? [...s].join("") : s);
    const out: MatchedEvent = {
      dest: c(e.dest),
      processName: c(e.processName),
      targetFilename: c(e.targetFilename),
      time: e.time,
    };
    if (carved) out.carved = true;
    return out;
  });

/** The groups, by a plain grouping: what Aggregates must give (order aside). */
function expected(events: readonly MatchedEvent[]): AggregateEntry[] {
  const groups = new Map<string, AggregateEntry>();
  for (const e of events) {
    const carved = e.carved === true;
    const key = JSON.stringify([e.dest, RULE.objectCategory, e.processName, e.targetFilename, carved]);
    const have = groups.get(key);
    if (have === undefined) {
      groups.set(key, {
        dest: e.dest,
        objectCategory: RULE.objectCategory,
        processName: e.processName,
        targetFilename: e.targetFilename,
        carved,
        count: 1,
        first: e.time,
        last: e.time,
      });
      continue;
    }
    have.count++;
    if (e.time !== "" && (have.first === "" || e.time < have.first)) have.first = e.time;
    if (e.time > have.last) have.last = e.time;
  }
  return [...groups.values()];
}

const byKey = (a: AggregateEntry, b: AggregateEntry) =>
  JSON.stringify([a.dest, a.processName, a.targetFilename, a.carved]) <
  JSON.stringify([b.dest, b.processName, b.targetFilename, b.carved])
    ? -1
    : 1;

describe("Aggregates", () => {
  it("groups events as a plain grouping does, added one by one or merged from parts", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.nat({ max: 60 }), (events, cut) => {
        const want = expected(events).sort(byKey);
        const whole = new Aggregates();
        for (const e of events) whole.add(e);
        expect(whole.size).toBe(want.length);
        expect(whole.entries().sort(byKey)).toEqual(want);
        // Two shards merged: through entries (a worker's result) and through another Aggregates.
        const [a, b] = [new Aggregates(), new Aggregates()];
        for (const e of events.slice(0, cut)) a.add(e);
        for (const e of events.slice(cut)) b.add(e);
        expect(new Aggregates().merge(a.entries()).merge(b).entries().sort(byKey)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it("lists groups in the order first seen, as copies", () => {
    const agg = new Aggregates();
    agg.add({ dest: "B", processName: "taskmgr.exe", targetFilename: "x.dmp", time: "" });
    agg.add({ dest: "A", processName: "taskmgr.exe", targetFilename: "x.dmp", time: "" });
    const entries = agg.entries();
    expect(entries.map((e) => e.dest)).toEqual(["B", "A"]);
    (entries[0] as AggregateEntry).count = 99;
    expect(agg.entries()[0]?.count).toBe(1);
  });
});
