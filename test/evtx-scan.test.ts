/**
 * EVTX scanning end to end, in both modes, on files the tests build (test/helpers/evtx-writer.ts)
 * and on the real corpus when ../shared/corpus is there. Every case runs the fast mode (wasm
 * prefilter, candidate records only) and the reference mode (every record decoded in full) and
 * requires the same matches and the same problems: the differential test of issue 6.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ScanStats } from "../src/engine/engine.js";
import {
  type EvtxScanOptions,
  evtxFileChunkCount,
  evtxPrefiltersOf,
  scanEvtxBytes,
  scanEvtxFile,
  scanEvtxFileRange,
} from "../src/engine/evtx-searcher.js";
import { evtxChunkRangeOfBytes } from "../src/engine/shard-edges.js";
import { ScanError } from "../src/errors.js";
import { CHUNK_SIZE, evtxChunkCount } from "../src/formats/evtx/index.js";
import { scanParallel } from "../src/pool/parallel-scan.js";
import { Aggregates } from "../src/report/aggregate.js";
import { toRows } from "../src/report/row.js";
import type { MatchedEvent } from "../src/rule/rule.js";
import { loadMatcherModule } from "../src/wasm/module.js";
import {
  buildEvtx,
  type ChunkSpec,
  dmpLiteralTemplate,
  el,
  type RecordSpec,
  SYSMON_FILE_CREATE,
  SYSMON_VALUE,
  type SysmonEvent,
  sub,
  sysmonRecord,
  sysmonValues,
  text,
  VALUE_TYPE,
  v,
} from "./helpers/evtx-writer.js";
import { corpusDir, corpusFileNames, scratchDir } from "./helpers/fixtures.js";

const CORPUS = corpusDir("evtx");
const corpusFiles = corpusFileNames("evtx", ".evtx");

/** The two ways the engines search EVTX: with the wasm prefilters (`fast`) or decoding every record (`reference`). */
type Mode = "fast" | "reference";

function modeOptions(mode: Mode, options: EvtxScanOptions = {}): EvtxScanOptions {
  return mode === "fast" ? { prefilters: evtxPrefiltersOf(loadMatcherModule()), ...options } : options;
}

function scan(
  bytes: Uint8Array,
  { mode = "fast", ...options }: EvtxScanOptions & { mode?: Mode } = {},
): { stats: ScanStats; matches: MatchedEvent[] } {
  const matches: MatchedEvent[] = [];
  const stats = scanEvtxBytes(bytes, (m) => matches.push(m), modeOptions(mode, options));
  return { stats, matches };
}

/** Scans in both modes, asserts they agree on matches and problems, returns the fast result. */
function scanBoth(bytes: Uint8Array, carve = false): { stats: ScanStats; matches: MatchedEvent[] } {
  const fast = scan(bytes, { mode: "fast", carve });
  const reference = scan(bytes, { mode: "reference", carve });
  expect(fast.matches).toEqual(reference.matches);
  expect(fast.stats.problems).toEqual(reference.stats.problems);
  expect(fast.stats.matches).toBe(reference.stats.matches);
  expect(fast.stats.bytes).toBe(bytes.length);
  expect(reference.stats.bytes).toBe(bytes.length);
  return fast;
}

const TASKMGR = "C:\\Windows\\System32\\Taskmgr.exe";

function event(i: number, overrides: Partial<SysmonEvent> = {}): SysmonEvent {
  return {
    computer: `ws${i}.corp.example`,
    image: TASKMGR,
    target: `C:\\Users\\u${i}\\AppData\\Local\\Temp\\lsass (${i}).DMP`,
    time: `2021-12-04T21:10:${String(10 + (i % 50)).padStart(2, "0")}.7235999Z`,
    recordId: BigInt(i),
    ...overrides,
  };
}

/** Background records: no lsass anywhere. */
function background(i: number): RecordSpec {
  return sysmonRecord(
    event(i, { eventId: 1, image: "C:\\Windows\\explorer.exe", target: `C:\\Temp\\report${i}.docx` }),
  );
}

/** A chunk of background records with the given records mixed in after the first few. */
function chunkWith(records: RecordSpec[], backgroundCount = 40, first = 0): ChunkSpec {
  const list: RecordSpec[] = [];
  for (let i = 0; i < backgroundCount; i++) list.push(background(first + i));
  list.splice(Math.min(5, list.length), 0, ...records);
  return { records: list };
}

describe("EVTX scan on built files (fast and reference agree)", () => {
  it("finds a true positive among background records, with the full FILETIME precision", () => {
    const { bytes } = buildEvtx({ chunks: [chunkWith([sysmonRecord(event(1))])] });
    const { matches, stats } = scanBoth(bytes);
    expect(matches).toEqual([
      {
        dest: "ws1.corp.example",
        processName: "Taskmgr.exe",
        targetFilename: "C:\\Users\\u1\\AppData\\Local\\Temp\\lsass (1).DMP",
        time: "2021-12-04T21:10:11.723599900",
      },
    ]);
    expect(stats.problems).toEqual([]);
    // Fast mode decoded only the candidate record.
    expect(stats.recordsExamined).toBe(1);
  });

  it("applies the rule: near misses in EVTX do not match", () => {
    const nearMisses = [
      event(2, { eventId: 1 }),
      event(3, { image: "C:\\Tools\\nottaskmgr.exe" }),
      event(4, { target: "C:\\Temp\\lsass.dmp.bak" }),
      event(5, { provider: "Microsoft-Windows-Security-Auditing", channel: "Security" }),
      event(6, { computer: "" }),
      event(7, { target: "C:\\Temp\\lsas.dmp" }),
    ].map((e) => sysmonRecord(e));
    const { matches } = scanBoth(buildEvtx({ chunks: [chunkWith([...nearMisses, sysmonRecord(event(8))])] }).bytes);
    expect(matches.map((m) => m.dest)).toEqual(["ws8.corp.example"]);
  });

  it("reuses one template definition across records and chunks (defined once per chunk)", () => {
    const records = [1, 2, 3].map((i) => sysmonRecord(event(i)));
    const { matches } = scanBoth(
      buildEvtx({ chunks: [chunkWith(records), chunkWith([sysmonRecord(event(4))], 10, 100)] }).bytes,
    );
    expect(matches.map((m) => m.dest)).toEqual([1, 2, 3, 4].map((i) => `ws${i}.corp.example`));
  });

  it("finds strings at odd offsets (as in real files)", () => {
    const built = buildEvtx({ chunks: [{ records: [sysmonRecord(event(1)), sysmonRecord(event(2))] }] });
    const needle = Buffer.from("lsass (2)", "utf16le");
    const at = Buffer.from(built.bytes).indexOf(needle);
    expect(at % 2).toBe(1);
    expect(scanBoth(built.bytes).matches).toHaveLength(2);
  });

  it("issue 6: a record that ends exactly at its chunk's end, lsass in its last value", () => {
    const filler: RecordSpec[] = [];
    for (let i = 0; i < 100; i++) filler.push(background(i));
    const last = sysmonRecord(event(9), { fillToChunkEnd: { valueIndex: SYSMON_VALUE.targetFilename } });
    const built = buildEvtx({ chunks: [{ records: [...filler, last] }, chunkWith([sysmonRecord(event(10))], 3)] });
    const lastOffset = built.records[0]?.live.at(-1) as number;
    const size = new DataView(built.bytes.buffer).getUint32(lastOffset + 4, true);
    expect(lastOffset + size).toBe(4096 + CHUNK_SIZE);
    const { matches, stats } = scanBoth(built.bytes);
    expect(stats.problems).toEqual([]);
    expect(matches.map((m) => m.dest)).toEqual(["ws9.corp.example", "ws10.corp.example"]);
  });

  it("counts a match in a template literal shared by later records (candidate in a template definition)", () => {
    const literal = dmpLiteralTemplate("{0D1E2F30-0000-4000-8000-000000000001}");
    const record = (id: number, host: string): RecordSpec => ({
      template: literal,
      values: [v.u16(id), v.string(host), v.string(TASKMGR)],
    });
    // The first use (which holds the definition) is EventID 1; the matching record later in
    // the chunk has no lsass bytes of its own.
    const { matches, stats } = scanBoth(
      buildEvtx({ chunks: [chunkWith([record(1, "first"), background(500), record(11, "second")])] }).bytes,
    );
    expect(matches.map((m) => m.dest)).toEqual(["second"]);
    expect(stats.recordsExamined).toBe(43);
  });

  it("decodes nothing in a chunk that holds .dmp but not taskmgr, nor a record with lsass but no .dmp", () => {
    const procdump = (i: number): RecordSpec =>
      sysmonRecord(event(i, { image: "C:\\Tools\\procdump64.exe", target: "C:\\Temp\\lsass.dmp" }));
    const access = (i: number): RecordSpec =>
      sysmonRecord(
        event(i, { eventId: 10, image: "C:\\Tools\\procdump64.exe", target: "C:\\Windows\\system32\\lsass.exe" }),
      );
    const built = buildEvtx({
      chunks: [chunkWith([procdump(1), procdump(2)]), chunkWith([access(3), sysmonRecord(event(4))])],
    });
    const fast = scanBoth(built.bytes);
    expect(fast.matches.map((m) => m.dest)).toEqual(["ws4.corp.example"]);
    // Chunk 0 has .dmp candidates but no taskmgr: none decoded. Chunk 1: its one candidate
    // (lsass.exe in record 3 is none).
    expect(fast.stats.recordsExamined).toBe(1);
  });

  it("finds a match whose Image is a template literal defined by an earlier record", () => {
    const literalImage = {
      guid: "{0D1E2F30-0000-4000-8000-000000000003}",
      root: el(
        "Event",
        {},
        el("System", {}, el("EventID", {}, sub(0, VALUE_TYPE.UINT16)), el("Computer", {}, "literal-host")),
        el(
          "EventData",
          {},
          el("Data", { Name: "Image" }, text("C:\\Windows\\System32\\TASKMGR.EXE")),
          el("Data", { Name: "TargetFilename" }, sub(1, VALUE_TYPE.STRING)),
        ),
      ),
    };
    const { matches } = scanBoth(
      buildEvtx({
        chunks: [
          chunkWith([
            { template: literalImage, values: [v.u16(1), v.string("C:\\a.txt")] },
            { template: literalImage, values: [v.u16(11), v.string("C:\\Temp\\lsass.dmp")] },
          ]),
        ],
      }).bytes,
    );
    expect(matches).toEqual([expect.objectContaining({ dest: "literal-host", processName: "TASKMGR.EXE" })]);
  });

  it("finds TargetFilename stored as an 8-bit string", () => {
    const values = sysmonValues(event(3));
    values[SYSMON_VALUE.targetFilename] = v.ansi("C:\\Temp\\LSASS.DMP");
    const { matches } = scanBoth(buildEvtx({ chunks: [chunkWith([{ template: SYSMON_FILE_CREATE, values }])] }).bytes);
    expect(matches.map((m) => m.targetFilename)).toEqual(["C:\\Temp\\LSASS.DMP"]);
  });

  it("finds events whose EventData is a nested Binary XML value", () => {
    const nested = {
      guid: "{0D1E2F30-0000-4000-8000-000000000002}",
      root: el(
        "Event",
        {},
        el("System", {}, el("EventID", {}, sub(0, VALUE_TYPE.UINT16)), el("Computer", {}, sub(1, VALUE_TYPE.STRING))),
        sub(2, VALUE_TYPE.BINXML),
      ),
    };
    const eventData = el(
      "EventData",
      {},
      el("Data", { Name: "Image" }, TASKMGR),
      el("Data", { Name: "TargetFilename" }, "C:\\x\\lsass.dmp"),
    );
    const { matches } = scanBoth(
      buildEvtx({
        chunks: [chunkWith([{ template: nested, values: [v.u16(11), v.string("nested-host"), v.binxml(eventData)] }])],
      }).bytes,
    );
    expect(matches.map((m) => m.dest)).toEqual(["nested-host"]);
  });

  it("scans dirty files whose header under-counts the chunks, without complaint", () => {
    const built = buildEvtx({
      dirty: true,
      chunks: [chunkWith([]), chunkWith([sysmonRecord(event(2))], 10, 50), chunkWith([sysmonRecord(event(3))], 10, 90)],
    });
    expect(new DataView(built.bytes.buffer).getUint16(4096 - 4096 + 42, true)).toBe(1);
    const { matches, stats } = scanBoth(built.bytes);
    expect(stats.problems).toEqual([]);
    expect(matches.map((m) => m.dest)).toEqual(["ws2.corp.example", "ws3.corp.example"]);
  });

  it("treats all-zero chunk slots as unused and a free space offset at the chunk end as normal", () => {
    const { matches, stats } = scanBoth(
      buildEvtx({
        chunks: [
          { ...chunkWith([sysmonRecord(event(1))]), freeSpaceAtChunkEnd: true },
          { records: [], empty: true },
          { records: [], empty: true },
        ],
      }).bytes,
    );
    expect(stats.problems).toEqual([]);
    expect(matches).toHaveLength(1);
  });

  it("issue 6: damaged chunks are reported once each, and the rest is scanned (a chunk whose checksum fails is still read)", () => {
    const built = buildEvtx({
      chunks: [
        { ...chunkWith([sysmonRecord(event(1))]), damage: "magic" },
        { ...chunkWith([sysmonRecord(event(2))]), damage: "header-crc" },
        { ...chunkWith([sysmonRecord(event(3))]), damage: "records-crc" },
        chunkWith([sysmonRecord(event(4))]),
        { ...chunkWith([sysmonRecord(event(5)), sysmonRecord(event(6))], 10), damage: "record-size", damagedRecord: 7 },
      ],
    });
    const { matches, stats } = scanBoth(built.bytes);
    expect(stats.problems).toEqual([
      "chunk 0 at offset 4096: bad chunk magic; chunk skipped",
      "chunk 1 at offset 69632: chunk header checksum mismatch; its records read as they are",
      "chunk 2 at offset 135168: event records checksum mismatch; its records read as they are",
      expect.stringMatching(
        /^chunk 4 at offset 266240: record at chunk offset \d+ \(size 65536\) runs past the chunk end; rest of chunk skipped$/,
      ),
    ]);
    // Chunks 1 and 2 as libevtx's evtxexport reads them; chunk 4: the records before the damaged
    // one still count (5 background, then event 5 and 6).
    expect(matches.map((m) => m.dest)).toEqual([
      "ws2.corp.example",
      "ws3.corp.example",
      "ws4.corp.example",
      "ws5.corp.example",
      "ws6.corp.example",
    ]);
  });

  it("issue 6: a truncated file is reported once, naming the chunk; whole records before the cut count", () => {
    const full = buildEvtx({ chunks: [chunkWith([sysmonRecord(event(1))]), chunkWith([sysmonRecord(event(2))], 10)] });
    const cut = full.bytes.length - CHUNK_SIZE / 2;
    const { matches, stats } = scanBoth(full.bytes.slice(0, cut));
    expect(stats.problems).toEqual([`chunk 1 at offset 69632: truncated (${CHUNK_SIZE / 2} of ${CHUNK_SIZE} bytes)`]);
    expect(matches.map((m) => m.dest)).toEqual(["ws1.corp.example", "ws2.corp.example"]);
    const headerOnly = scanBoth(full.bytes.slice(0, 1000));
    expect(headerOnly.stats.problems).toEqual(["file header truncated (1000 of 4096 bytes)"]);
  });

  it("reads a lone chunk (no file header) as EVTX", () => {
    const built = buildEvtx({ chunks: [chunkWith([sysmonRecord(event(1))])] });
    const { matches } = scanBoth(built.bytes.slice(4096));
    expect(matches).toHaveLength(1);
  });

  it("rejects input that is not EVTX", () => {
    expect(() => scan(new TextEncoder().encode("<Event/>"))).toThrow(ScanError);
    try {
      scan(new Uint8Array(16));
    } catch (err) {
      expect((err as ScanError).code).toBe("LDS_E_CORRUPT_EVTX");
    }
  });
});

describe("EVTX fast mode on the debug wasm build", () => {
  it("agrees with the release build (and the reference) on a file with every case above", () => {
    const built = buildEvtx({
      dirty: true,
      chunks: [
        chunkWith([sysmonRecord(event(1)), sysmonRecord(event(2, { eventId: 1 }))]),
        { ...chunkWith([sysmonRecord(event(3))]), damage: "header-crc" },
        { ...chunkWith([sysmonRecord(event(4))], 10), slack: [sysmonRecord(event(5))] },
        { records: [], empty: true },
      ],
    });
    const debug = loadMatcherModule("debug");
    for (const carve of [false, true]) {
      const release = scanBoth(built.bytes, carve);
      const withDebug = scan(built.bytes, { carve, prefilters: evtxPrefiltersOf(debug) });
      expect(withDebug.matches).toEqual(release.matches);
      expect(withDebug.stats).toEqual(release.stats);
    }
  });
});

describe("EVTX carving", () => {
  const built = buildEvtx({
    chunks: [
      { ...chunkWith([sysmonRecord(event(1))], 20), slack: [sysmonRecord(event(2)), background(600)] },
      { ...chunkWith([sysmonRecord(event(3))], 20, 300), wipeHeader: true },
      { ...chunkWith([sysmonRecord(event(4))], 20, 400), damage: "magic" },
    ],
  });

  it("counts only live records without --carve", () => {
    const { matches } = scanBoth(built.bytes, false);
    expect(matches.map((m) => m.dest)).toEqual(["ws1.corp.example"]);
  });

  it("recovers records from slack, wiped chunks and damaged chunks, marked carved", () => {
    const { matches, stats } = scanBoth(built.bytes, true);
    expect(matches).toEqual([
      expect.objectContaining({ dest: "ws1.corp.example" }),
      expect.objectContaining({ dest: "ws2.corp.example", carved: true }),
      expect.objectContaining({ dest: "ws3.corp.example", carved: true }),
      expect.objectContaining({ dest: "ws4.corp.example", carved: true }),
    ]);
    expect(matches[0]?.carved).toBeUndefined();
    expect(stats.problems).toEqual([
      "chunk 1 at offset 69632: no chunk header (zero bytes), yet records follow (the first at chunk offset 512); chunk skipped",
      "chunk 2 at offset 135168: bad chunk magic; chunk skipped",
    ]);
  });

  it("does not count a carved record that does not decode cleanly", () => {
    const damaged = built.bytes.slice();
    const slackOffset = built.records[0]?.slack[0] as number;
    // Break a token inside the carved record (its template instance token).
    damaged[slackOffset + 24 + 4] = 0x7f;
    const { matches } = scanBoth(damaged, true);
    expect(matches.map((m) => m.dest)).toEqual(["ws1.corp.example", "ws3.corp.example", "ws4.corp.example"]);
  });
});

describe("EVTX shards and files", () => {
  const dir = scratchDir("evtx-scan-");
  const built = buildEvtx({
    dirty: true,
    chunks: Array.from({ length: 7 }, (_, c) => chunkWith([sysmonRecord(event(c))], 30, c * 100)),
  });
  const path = join(dir, "seven.evtx");
  writeFileSync(path, built.bytes);

  it("counts chunks from the size, not the header", () => {
    expect(evtxFileChunkCount(path)).toBe(7);
    expect(evtxChunkCount(built.bytes.length)).toBe(7);
    expect(evtxChunkCount(4096 + 1)).toBe(1);
  });

  it("shards by chunk range add up to the whole file, every record counted once", async () => {
    for (const mode of ["fast", "reference"] as const) {
      const whole: MatchedEvent[] = [];
      const wholeStats = await scanEvtxFile(path, (m) => whole.push(m), modeOptions(mode));
      expect(wholeStats.bytes).toBe(built.bytes.length);
      for (const step of [1, 2, 3, 7]) {
        const parts: MatchedEvent[] = [];
        let bytes = 0;
        for (let first = 0; first < 7; first += step) {
          const stats = await scanEvtxFile(
            path,
            (m) => parts.push(m),
            modeOptions(mode, { chunkRange: [first, Math.min(7, first + step)], withHeader: first === 0 }),
          );
          bytes += stats.bytes;
        }
        expect(parts).toEqual(whole);
        expect(bytes).toBe(built.bytes.length);
      }
      expect(whole).toHaveLength(7);
    }
  });

  it("byte-range shards of any size, 4 KiB included, count the file's bytes once (the header too)", async () => {
    const size = built.bytes.length;
    for (const mode of ["fast", "reference"] as const) {
      for (const shard of [4096, 4097, CHUNK_SIZE, 3 * CHUNK_SIZE + 5, size]) {
        const parts: MatchedEvent[] = [];
        let bytes = 0;
        for (let start = 0; start < size; start += shard) {
          const end = Math.min(size, start + shard);
          bytes += (await scanEvtxFileRange(path, start, end, (m) => parts.push(m), modeOptions(mode))).bytes;
        }
        expect(bytes, `${mode}, ${shard}-byte shards`).toBe(size);
        expect(parts).toHaveLength(7);
      }
    }
  });

  it("the pool's summary bytes with --shard-size 4k equal the file's size", async () => {
    for (const engine of ["wasm", "reference"] as const) {
      const r = await scanParallel([path], { engine, workers: 2, shardSize: 4096 });
      expect(r.problems).toEqual([]);
      expect(r.stats.bytes, engine).toBe(built.bytes.length);
    }
  });

  it("maps byte ranges to the chunks that start in them", () => {
    const size = built.bytes.length;
    expect(evtxChunkRangeOfBytes(0, size, size)).toEqual([0, 7]);
    expect(evtxChunkRangeOfBytes(0, 4096, size)).toEqual([0, 0]);
    expect(evtxChunkRangeOfBytes(0, 4097, size)).toEqual([0, 1]);
    expect(evtxChunkRangeOfBytes(4097, 4096 + 2 * CHUNK_SIZE + 1, size)).toEqual([1, 3]);
  });

  it("scanEvtxFile and scanEvtxBytes agree", async () => {
    const fromFile: MatchedEvent[] = [];
    const stats = await scanEvtxFile(path, (m) => fromFile.push(m), modeOptions("fast"));
    const fromBytes = scan(built.bytes);
    expect(fromFile).toEqual(fromBytes.matches);
    expect(stats).toEqual(fromBytes.stats);
  });

  it("a scan started from inside onMatch does not disturb the one running", async () => {
    // Other bytes for the inner scan: sharing the outer scan's buffer would change what it reads.
    const other = buildEvtx({ chunks: Array.from({ length: 9 }, (_, c) => chunkWith([], 30, 5000 + c * 50)) }).bytes;
    const outer: MatchedEvent[] = [];
    let innerScans = 0;
    for (const mode of ["fast", "reference"] as const) {
      outer.length = 0;
      await scanEvtxFile(
        path,
        (m) => {
          outer.push(m);
          innerScans++;
          expect(scanEvtxBytes(other, () => {}, modeOptions(mode)).recordsExamined).toBe(mode === "fast" ? 0 : 270);
        },
        modeOptions(mode),
      );
      expect(outer.map((m) => m.dest)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `ws${i}.corp.example`));
    }
    expect(innerScans).toBe(14);
  });

  it("rejects a missing file, or one that is not EVTX, with a stable code naming it", async () => {
    const notEvtx = join(dir, "not.evtx");
    writeFileSync(notEvtx, "<Event/>");
    await expect(scanEvtxFile(notEvtx, () => {}, modeOptions("fast"))).rejects.toMatchObject({
      code: "LDS_E_CORRUPT_EVTX",
      input: notEvtx,
    });
  });

  it("rejects a missing file with a stable code", async () => {
    await expect(scanEvtxFile(join(dir, "missing.evtx"), () => {}, modeOptions("fast"))).rejects.toMatchObject({
      code: "LDS_E_INPUT_UNREADABLE",
    });
  });
});

describe.skipIf(corpusFiles.length === 0)("EVTX corpus (../shared/corpus/evtx)", () => {
  const expectedRecords: Record<string, number> = {
    "mdec_ID10_mimikatz_lsass_access.evtx": 3,
    "mdec_ID11_lsass_dump_via_taskmgr.evtx": 1,
    "mdec_ID1_lsassy_rundll32_dmp.evtx": 14,
    "mdec_ID4663_security_channel_taskmgr.evtx": 2,
    "mdec_psexec_background.evtx": 15,
    "splunk_T1003.001_procdump_sysmon.evtx": 429,
  };
  for (const file of corpusFiles) {
    it(`${file}: fast and reference agree, every record decodes, no problems`, async () => {
      const bytes = new Uint8Array(readFileSync(join(CORPUS, file)));
      const { matches } = scanBoth(bytes, true);
      const reference = scan(bytes, { mode: "reference" });
      expect(reference.stats.problems).toEqual([]);
      expect(reference.stats.malformedRecords).toBe(0);
      if (expectedRecords[file] !== undefined) expect(reference.stats.recordsExamined).toBe(expectedRecords[file]);
      if (file === "mdec_ID11_lsass_dump_via_taskmgr.evtx") {
        expect(matches).toEqual([
          {
            dest: "fs03vuln.offsec.lan",
            processName: "Taskmgr.exe",
            targetFilename: "C:\\Users\\admmig\\AppData\\Local\\Temp\\lsass (4).DMP",
            time: "2021-12-04T21:10:40.723599900",
          },
        ]);
      } else {
        expect(matches).toEqual([]);
      }
      const fromFile: MatchedEvent[] = [];
      await scanEvtxFile(join(CORPUS, file), (m) => fromFile.push(m), modeOptions("fast"));
      expect(fromFile).toEqual(matches.filter((m) => m.carved !== true));
    });
  }
});

describe.skipIf(corpusFiles.length === 0)("EVTX corpus rows", () => {
  it("scanning evtx/ gives the corpus's expected row for the EVTX true positive (count 1 from this copy)", async () => {
    const rowsOf = async (mode: Mode) => {
      const aggregates = new Aggregates();
      for (const file of corpusFiles)
        await scanEvtxFile(join(CORPUS, file), (m) => aggregates.add(m), modeOptions(mode));
      return JSON.parse(JSON.stringify(toRows(aggregates.entries())));
    };
    const expected = readFileSync(join(CORPUS, "..", "EXPECTED.jsonl"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((row) => row.dest === "fs03vuln.offsec.lan")
      .map((row) => ({ ...row, count: 1 }));
    expect(await rowsOf("fast")).toEqual(expected);
    expect(await rowsOf("reference")).toEqual(expected);
  });
});

if (corpusFiles.length === 0) {
  describe("EVTX corpus", () => {
    it.skip("skipped: ../shared/corpus/evtx is absent", () => {});
  });
}
