/**
 * Property tests (fast-check) for the matcher's decided hits (issue 12): when every test of the
 * rule is settled in wasm, the TypeScript side builds the event without matchEvent, from the
 * strings it needs and a time the matcher normalized itself (assembly/rule-check.ts,
 * assembly/time-normalize.ts, src/wasm/hit-fields.ts). Records that almost match, in every
 * text format, with the values that decide it drawn from the edges: times in every layout
 * normalizeTime knows and many it does not (zones, white space, commas, long fractions,
 * non-ASCII digits), EventIDs with Unicode white space or fractions, sources and names with
 * non-ASCII look-alikes, escapes and entities, empty values. The wasm engine must give exactly
 * the reference engine's rows (with their first and last times) and counts.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Engine } from "../src/engine/engine.js";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { createWasmEngine } from "../src/engine/wasm-engine.js";
import type { TextFormat } from "../src/formats/log-format.js";
import { type MatchedEvent, matchEvent } from "../src/rule/rule.js";
import { normalizeTime } from "../src/rule/time.js";
import { HitReader } from "../src/wasm/hit-fields.js";
import { Matcher } from "../src/wasm/matcher.js";
import { loadMatcherModule, type MatcherBuild } from "../src/wasm/module.js";

interface Values {
  time: string;
  eventId: string | number;
  provider: string | undefined;
  channel: string | undefined;
  computer: string;
  image: string;
  target: string;
}

const digit = fc.constantFrom(..."0123456789");
const oddDigit = fc.constantFrom("٣", "a", " ", "-", "１");

/** A time: a common layout most of the time, then bent in one of many ways. */
const time: fc.Arbitrary<string> = fc
  .record({
    ymdhms: fc.array(fc.oneof({ weight: 30, arbitrary: digit }, { weight: 1, arbitrary: oddDigit }), {
      minLength: 14,
      maxLength: 14,
    }),
    sep: fc.constantFrom("T", "T", " ", "t", "_"),
    fraction: fc.oneof(
      fc.constant(""),
      fc
        .tuple(fc.constantFrom(".", ".", ",", ":"), fc.array(digit, { minLength: 0, maxLength: 12 }))
        .map(([s, d]) => s + d.join("")),
    ),
    zone: fc.constantFrom(
      "",
      "Z",
      "Z",
      "z",
      "UTC",
      "utc",
      "UTc",
      "+02:00",
      "-0530",
      "+00:00",
      " Z",
      "Zx",
      "ZZ",
      "GMT",
      "X",
      "+",
    ),
    before: fc.constantFrom("", "", "", " ", "\t", "\u00a0"),
    after: fc.constantFrom("", "", "", " ", "\n", "\u2003"),
  })
  .map(({ ymdhms: d, sep, fraction, zone, before, after }) => {
    const t = `${d.slice(0, 4).join("")}-${d.slice(4, 6).join("")}-${d.slice(6, 8).join("")}${sep}${d.slice(8, 10).join("")}:${d.slice(10, 12).join("")}:${d.slice(12, 14).join("")}`;
    return `${before}${t}${fraction}${zone}${after}`;
  });

/** `good` (a value that lets the rule match) about two times in three, else one of `others`. */
function mostly<T>(good: T, ...others: T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
}

const values: fc.Arbitrary<Values> = fc.record({
  time: fc.oneof({ weight: 6, arbitrary: time }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }),
  eventId: mostly<string | number>(
    11,
    "11",
    " 11",
    "11 ",
    "\u00a011",
    "11\u2028",
    "\u200b11",
    "011",
    "11.0",
    10,
    "1 1",
  ),
  provider: mostly(
    "Microsoft-Windows-Sysmon",
    "MICROSOFT-windows-sysmon",
    "Microſoft-Windows-Sysmon",
    "Microsoft-Windows-Sysmon ",
    "Other",
    "",
    undefined,
  ),
  channel: fc.constantFrom(
    "Microsoft-Windows-Sysmon/Operational",
    "microsoft-windows-sysmon/operational",
    "Security",
    "",
    undefined,
  ),
  computer: mostly("WS01.corp.example", "ws01", "Ünïcode-PC", "a&b", "\u00e9", "", " "),
  image: mostly(
    "C:\\Windows\\System32\\Taskmgr.exe",
    "C:\\WINDOWS\\system32\\TASKMGR.EXE",
    "taskmgr.exe",
    "C:\\x\\taskmgr.exe ",
    "C:\\x\\tasKmgr.exé",
    "C:\\tools\\procdump.exe",
  ),
  target: mostly(
    "C:\\Users\\a\\AppData\\Local\\Temp\\lsass.DMP",
    "C:\\Users\\a\\AppData\\Local\\Temp\\lsass (2).DMP",
    "C:\\Temp\\lsasſ.dmp",
    "C:\\Temp\\ÿlsass\u00e9.dmp",
    "C:\\Temp\\lsass.dmp ",
    "C:\\Temp\\lsass.dmp.txt",
  ),
});

function xmlText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/'/g, "&apos;");
}

function record(v: Values, format: TextFormat): string {
  const eventIdText = String(v.eventId);
  if (format === "xml") {
    const provider = v.provider === undefined ? "" : `<Provider Name='${xmlText(v.provider)}'/>`;
    const channel = v.channel === undefined ? "" : `<Channel>${xmlText(v.channel)}</Channel>`;
    return (
      `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>${provider}` +
      `<EventID>${xmlText(eventIdText)}</EventID><TimeCreated SystemTime='${xmlText(v.time)}'/>${channel}` +
      `<Computer>${xmlText(v.computer)}</Computer></System><EventData><Data Name='Image'>${xmlText(v.image)}</Data>` +
      `<Data Name='TargetFilename'>${xmlText(v.target)}</Data></EventData></Event>`
    );
  }
  const j = JSON.stringify;
  if (format === "flat") {
    const o: Record<string, unknown> = { EventID: v.eventId, Hostname: v.computer, Image: v.image };
    if (v.provider !== undefined) o.SourceName = v.provider;
    if (v.channel !== undefined) o.Channel = v.channel;
    o.TargetFilename = v.target;
    o.UtcTime = v.time;
    return j(o);
  }
  if (format === "ecs") {
    const event: Record<string, unknown> = { code: eventIdText };
    if (v.provider !== undefined) event.provider = v.provider;
    const winlog: Record<string, unknown> = {
      computer_name: v.computer,
      event_data: { Image: v.image, TargetFilename: v.target },
      event_id: v.eventId,
    };
    if (v.channel !== undefined) winlog.channel = v.channel;
    return j({ "@timestamp": v.time, event, winlog });
  }
  const system: Record<string, unknown> = {
    EventID: v.eventId,
    TimeCreated: { "#attributes": { SystemTime: v.time } },
  };
  if (v.provider !== undefined) system.Provider = { "#attributes": { Name: v.provider } };
  if (v.channel !== undefined) system.Channel = v.channel;
  system.Computer = v.computer;
  return j({ Event: { System: system, EventData: { Image: v.image, TargetFilename: v.target } } });
}

/** JSON with some letters and digits written as `\u00XX` escapes. */
function escapeSome(json: string, every: number): string {
  let n = 0;
  return json.replace(/"((?:[^"\\]|\\.)*)"/g, (_m, body: string) => {
    const out = body.replace(/(\\.)|([A-Za-z0-9])/g, (m: string, esc: string | undefined) =>
      esc !== undefined || ++n % every !== 0 ? m : `\\u00${m.charCodeAt(0).toString(16)}`,
    );
    return `"${out}"`;
  });
}

/** The events in order (their full normalized times: rows keep only the seconds) and the counts. */
async function scan(engine: Engine, bytes: Buffer, format: TextFormat) {
  const events: MatchedEvent[] = [];
  const stats = await engine.scanStream(
    (async function* () {
      yield bytes;
    })(),
    format,
    (e) => events.push(e),
  );
  return { events, matches: stats.matches, malformed: stats.malformedRecords };
}

function property(build: MatcherBuild, runs: number) {
  const engine = createWasmEngine({ module: loadMatcherModule(build) });
  return async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<TextFormat>("xml", "flat", "ecs", "evtxdump"),
        fc.array(values, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(0, 0, 3, 7),
        async (format, vs, every) => {
          const lines = vs
            .map((v) => record(v, format))
            .map((r) => (every > 0 && format !== "xml" ? escapeSome(r, every) : r));
          const bytes = Buffer.from(`${lines.join("\n")}\n`, "utf8");
          const want = await scan(referenceEngine, bytes, format);
          const got = await scan(engine, bytes, format);
          expect(got).toEqual(want);
        },
      ),
      { numRuns: runs },
    );
  };
}

const RUNS = Number(process.env.LDS_WASM_PROPERTY_RUNS ?? 400);

describe("decided hits: wasm engine = reference engine on records that almost match", () => {
  it("release build", property("release", RUNS), 600_000);
  it("debug build", property("debug", Math.ceil(RUNS / 3)), 600_000);

  it("many distinct values (the intern table fills and is reset between reads) give the reference's events", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const v: Values = {
        time: `2024-01-01T00:00:${String(i % 60).padStart(2, "0")}.${i}Z`,
        eventId: 11,
        provider: "Microsoft-Windows-Sysmon",
        channel: undefined,
        // Long names first (the store fills before the table), then short ones (the table fills).
        computer: i < 3000 ? `PC-${i}-${"x".repeat(150 + (i % 7))}` : `PC-${i % 2500}`,
        image: i % 3 === 0 ? "C:\\Windows\\System32\\Taskmgr.exe" : `C:\\t${i % 5}\\taskmgr.exe`,
        target: `C:\\Temp\\${i % 4000}\\lsass.dmp`,
      };
      lines.push(record(v, i % 2 === 0 ? "flat" : "evtxdump"));
    }
    const bytes = Buffer.from(`${lines.join("\n")}\n`);
    for (const blockBytes of [undefined, 64 * 1024]) {
      const engine = createWasmEngine({ blockBytes });
      const got = await scan(engine, bytes, "flat");
      const want = await scan(referenceEngine, bytes, "flat");
      expect(got.matches).toBe(6000);
      expect(got).toEqual(want);
      // The same matcher again: interned values of the last scan are reused.
      expect(await scan(engine, bytes, "flat")).toEqual(want);
    }
  });

  it("plain true positives are decided in wasm, their events those matchEvent gives, with exact times", () => {
    const v: Values = {
      time: "2024-10-16T09:51:12.3232529876Z",
      eventId: 11,
      provider: "Microsoft-Windows-Sysmon",
      channel: "Microsoft-Windows-Sysmon/Operational",
      computer: "WS01",
      image: "C:\\Windows\\System32\\Taskmgr.exe",
      target: "C:\\Temp\\lsass.DMP",
    };
    for (const format of ["xml", "flat", "ecs", "evtxdump"] as const) {
      const bytes = Buffer.from(`${record(v, format)}\n`);
      const m = new Matcher(loadMatcherModule("release"), 4096);
      m.input.set(bytes);
      if (format === "xml") {
        m.xmlScanBegin(0, bytes.length);
        expect(m.xmlScanResume()).toBe(true);
      } else {
        m.jsonScanBegin(0, bytes.length);
        expect(m.jsonScanResume()).toBe(true);
      }
      expect(m.hitCount()).toBe(1);
      const hits = new HitReader(m, format);
      expect(hits.isDecided(0)).toBe(true);
      const fields = hits.fields(0);
      expect(fields).toBeDefined();
      const want = matchEvent(fields as NonNullable<typeof fields>, normalizeTime);
      expect(hits.decidedEvent(0)).toEqual(want);
      expect(want?.time).toBe("2024-10-16T09:51:12.323252987");
    }
  });
});
