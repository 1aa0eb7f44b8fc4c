/**
 * Issue 9 property tests (fast-check): JSON records of every layout, written as the real tools
 * write them (NXLog, Winlogbeat with and without its Sysmon module, evtx_dump one a line,
 * pretty or with its `Record N` lines, with or without `--separate-json-attributes`, Velociraptor, pandas, unindented pretty JSON), mixed back
 * to back in one file, give every row, in both engines, with random block, chunk and shard
 * sizes; and cutting any record anywhere never loses a different record (JSON and XML). Both
 * engines report the same malformed records (damaged ones holding a candidate), at the same
 * offsets.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Engine, ScanStats } from "../src/engine/engine.js";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { createWasmEngine } from "../src/engine/wasm-engine.js";
import type { TextFormat } from "../src/formats/log-format.js";
import { holdsMatchCandidate } from "../src/formats/match-candidate.js";
import { Aggregates } from "../src/report/aggregate.js";
import { type Row, toRows } from "../src/report/row.js";
import {
  ecsRecord,
  ecsSysmonModuleRecord,
  evtxDumpDefaultOutput,
  evtxDumpRecord,
  flatRecord,
  pandasRecord,
  type SeedEvent,
  TRUE_POSITIVE as TP,
  unindentedJson,
  velociraptorRecord,
  xmlEvent,
} from "./helpers/seed-events.js";

const tmp = mkdtempSync(join(tmpdir(), "lds-layouts-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs per property; raise with LDS_LAYOUT_PROPERTY_RUNS for a long soak. */
const RUNS = Number(process.env.LDS_LAYOUT_PROPERTY_RUNS ?? 120);

/** One record's text: `prefix` (an evtx_dump `Record N` line, or nothing) and the record itself. */
interface Written {
  prefix: string;
  record: string;
  /** Pretty-printed without indentation: a column-0 `{` may continue it (see json-records.ts). */
  unindented: boolean;
}

const JSON_WRITERS: ((e: SeedEvent, n: number) => Written)[] = [
  (e) => ({ prefix: "", record: flatRecord(e), unindented: false }),
  (e) => ({ prefix: "", record: flatRecord(e, { indent: 2 }), unindented: false }),
  (e) => ({ prefix: "", record: ecsRecord(e), unindented: false }),
  (e) => ({ prefix: "", record: ecsSysmonModuleRecord(e), unindented: false }),
  (e) => ({ prefix: "", record: ecsSysmonModuleRecord(e, { numericIds: true }), unindented: false }),
  (e) => ({ prefix: "", record: evtxDumpRecord(e), unindented: false }),
  (e) => ({ prefix: "", record: evtxDumpRecord(e, { indent: 2, idAsText: true }), unindented: false }),
  (e, n) => {
    const [line = "", ...rest] = evtxDumpDefaultOutput([e], { firstId: n }).split("\n");
    return { prefix: `${line}\n`, record: rest.join("\n").trimEnd(), unindented: false };
  },
  (e, n) => ({ prefix: `Record ${n}\n`, record: evtxDumpRecord(e), unindented: false }),
  (e) => ({ prefix: "", record: evtxDumpRecord(e, { separateAttributes: true }), unindented: false }),
  (e, n) => ({
    prefix: `Record ${n}\n`,
    record: evtxDumpRecord(e, { separateAttributes: true, indent: 2 }),
    unindented: false,
  }),
  (e) => ({ prefix: "", record: velociraptorRecord(e), unindented: false }),
  (e) => ({ prefix: "", record: velociraptorRecord(e, { indent: 2, plainId: true }), unindented: false }),
  (e) => ({ prefix: "", record: pandasRecord(e), unindented: false }),
  (e) => ({ prefix: "", record: unindentedJson(withArrays(evtxDumpRecord(e))), unindented: true }),
  (e) => ({ prefix: "", record: unindentedJson(withArrays(flatRecord(e))), unindented: true }),
];

/** Adds arrays of objects (column-0 `{` once unindented) to a one-line record. */
function withArrays(record: string): string {
  return record.replace(/^\{/, '{"Tags":[{"Name":"a","Value":[1,{"x":2}]},{"Name":"b"}],"Empty":[],');
}

const KINDS = ["truePositive", "decoy", "background"] as const;

function eventOf(kind: (typeof KINDS)[number], target: number): SeedEvent {
  const targetFilename = `C:\\Users\\alice\\AppData\\Local\\Temp\\lsass (${target}).DMP`;
  if (kind === "truePositive") return { ...TP, targetFilename };
  if (kind === "decoy") return { ...TP, targetFilename, eventId: 10 };
  return { ...TP, eventId: 1, image: "C:\\Windows\\explorer.exe", targetFilename: undefined };
}

const recordArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  target: fc.nat({ max: 3 }),
  writer: fc.nat({ max: JSON_WRITERS.length - 1 }),
  /** A byte order mark before the record, as `cat` of exports that each begin with one leaves it. */
  bom: fc.boolean(),
});

async function* chunksOf(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of cuts.map((c) => Math.floor(c * bytes.length)).sort((a, b) => a - b)) {
    if (cut > from) {
      yield bytes.subarray(from, cut);
      from = cut;
    }
  }
  yield bytes.subarray(from);
}

async function scanStream(
  engine: Engine,
  bytes: Buffer,
  format: TextFormat,
  cuts: number[],
): Promise<[Row[], ScanStats]> {
  const agg = new Aggregates();
  const stats = await engine.scanStream(chunksOf(bytes, cuts), format, (e) => agg.add(e));
  return [toRows(agg.entries()), stats];
}

async function scanShards(
  engine: Engine,
  path: string,
  format: TextFormat,
  size: number,
  shards: number[],
): Promise<Row[]> {
  const agg = new Aggregates();
  const bounds = [0, ...shards.map((s) => Math.floor(s * size)).sort((a, b) => a - b), size];
  for (let i = 0; i + 1 < bounds.length; i++) {
    await engine.scanFileRange?.(path, format, bounds[i] as number, bounds[i + 1] as number, (e) => agg.add(e));
  }
  return toRows(agg.entries());
}

const engines = new Map<number, Engine>();
function wasmEngine(blockBytes: number): Engine {
  let engine = engines.get(blockBytes);
  if (engine === undefined) {
    engine = createWasmEngine({ blockBytes });
    engines.set(blockBytes, engine);
  }
  return engine;
}

const scanArb = {
  blockBytes: fc.oneof(fc.integer({ min: 64, max: 600 }), fc.integer({ min: 600, max: 6000 }), fc.constant(1 << 16)),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }),
  shards: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
};

let fileCount = 0;

/**
 * Scans `bytes` with the reference engine (whole), the wasm engine (random blocks and chunks)
 * and the wasm engine's shards; all must give `expected` (rows as [TargetFilename, count]) or,
 * when not given, the reference's rows. Returns the reference's and the wasm engine's stats.
 */
async function checkAllEngines(
  bytes: Buffer,
  format: TextFormat,
  scan: { blockBytes: number; cuts: number[]; shards: number[] },
  expected?: Row[],
): Promise<[ScanStats, ScanStats]> {
  const [referenceRows, referenceStats] = await scanStream(referenceEngine, bytes, format, []);
  if (expected !== undefined) expect(referenceRows).toEqual(expected);
  const engine = wasmEngine(scan.blockBytes);
  const [rows, stats] = await scanStream(engine, bytes, format, scan.cuts);
  expect(rows).toEqual(referenceRows);
  // "Malformed" means one thing in both engines: a damaged record that holds a candidate.
  expect(stats.malformedRecords).toBe(referenceStats.malformedRecords);
  expect(stats.malformedOffsets).toEqual(referenceStats.malformedOffsets);
  const path = join(tmp, `input-${fileCount++}`);
  writeFileSync(path, bytes);
  expect(await scanShards(engine, path, format, bytes.length, scan.shards)).toEqual(referenceRows);
  rmSync(path);
  return [referenceStats, stats];
}

describe("JSON layouts decided per record", () => {
  it("a file mixing every layout gives every row, in both engines, any block, chunk and shard size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 14 }),
        fc.boolean(),
        fc.record(scanArb),
        async (specs, crlf, scan) => {
          const text = specs
            .map((s, n) => {
              const w = JSON_WRITERS[s.writer]!(eventOf(s.kind, s.target), n + 1);
              return `${s.bom ? "\uFEFF" : ""}${w.prefix}${w.record}\n`;
            })
            .join("");
          const bytes = Buffer.from(crlf ? text.replace(/\n/g, "\r\n") : text);
          const [stats] = await checkAllEngines(bytes, "flat", scan);
          expect(stats.malformedRecords).toBe(0);
          // Every true positive counts, whatever its layout.
          const [rows] = await scanStream(referenceEngine, bytes, "flat", []);
          const counts = new Map<string, number>();
          for (const s of specs) {
            if (s.kind !== "truePositive") continue;
            const target = eventOf(s.kind, s.target).targetFilename!;
            counts.set(target, (counts.get(target) ?? 0) + 1);
          }
          expect(new Map(rows.map((r) => [r.TargetFilename, r.count]))).toEqual(counts);
        },
      ),
      { numRuns: RUNS },
    );
  }, 600_000);
});

/** The last byte of `text` that is not white space. */
function lastSignificant(text: string): string {
  return text.trimEnd().slice(-1);
}

describe("damage stays local", () => {
  it("cutting a JSON record anywhere never loses a different record", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 2, maxLength: 10 }),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        // After the cut: a line break (a crash, then the next line), or a run of NUL bytes with
        // the next record right after it (a power loss's unwritten block, then the restarted writer).
        fc.oneof(fc.constant(""), fc.integer({ min: 1, max: 300 })),
        fc.record(scanArb),
        async (specs, pick, where, nuls, scan) => {
          const written = specs.map((s, n) => JSON_WRITERS[s.writer]!(eventOf(s.kind, s.target), n + 1));
          const k = pick % written.length;
          const damaged = written[k]!;
          const cut = Math.min(damaged.record.length - 1, 1 + Math.floor(where * (damaged.record.length - 1)));
          const prefix = damaged.record.slice(0, cut);
          // The one ambiguity of unindented pretty JSON: cut right after `[` or `,`, the next
          // record reads as an element of the open array (json-records.ts).
          fc.pre(!(damaged.unindented && (lastSignificant(prefix) === "[" || lastSignificant(prefix) === ",")));
          const join = (parts: Written[]) => parts.map((w) => `${w.prefix}${w.record}\n`).join("");
          const intact = join(written.filter((_, i) => i !== k));
          const before = join(written.slice(0, k));
          const end = nuls === "" ? "\n" : "\0".repeat(nuls);
          const text = `${before}${damaged.prefix}${prefix}${end}${join(written.slice(k + 1))}`;
          const [expected] = await scanStream(referenceEngine, Buffer.from(intact), "flat", []);
          const [stats, wasmStats] = await checkAllEngines(Buffer.from(text), "flat", scan, expected);
          const offset = Buffer.byteLength(before + damaged.prefix);
          // The damaged record counts when it could have held a match (checkAllEngines: in both engines).
          const counts = holdsMatchCandidate(Buffer.from(prefix), true);
          expect(stats.malformedRecords).toBe(counts ? 1 : 0);
          expect(wasmStats.malformedOffsets).toEqual(counts ? [offset] : []);
        },
      ),
      { numRuns: RUNS },
    );
  }, 600_000);

  it("cutting an XML <Event anywhere never loses a different event", async () => {
    const XML_LAYOUTS = [(e: SeedEvent) => xmlEvent(e), (e: SeedEvent) => xmlEvent(e, { pretty: true, quote: '"' })];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ kind: fc.constantFrom(...KINDS), target: fc.nat({ max: 3 }), layout: fc.nat({ max: 1 }) }),
          {
            minLength: 2,
            maxLength: 10,
          },
        ),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom("\n", "", "\r\n"),
        fc.record(scanArb),
        async (specs, pick, where, separator, scan) => {
          const events = specs.map((s) => XML_LAYOUTS[s.layout]!(eventOf(s.kind, s.target)));
          const k = pick % events.length;
          const cut = Math.min(events[k]!.length - 1, 1 + Math.floor(where * (events[k]!.length - 1)));
          const intact = events.filter((_, i) => i !== k).join(separator);
          const text = events.map((e, i) => (i === k ? e.slice(0, cut) : e)).join(separator);
          const [expected] = await scanStream(referenceEngine, Buffer.from(intact), "xml", []);
          await checkAllEngines(Buffer.from(text), "xml", scan, expected);
        },
      ),
      { numRuns: RUNS },
    );
  }, 600_000);
});
