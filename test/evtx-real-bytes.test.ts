/**
 * EVTX as Windows writes it and as triage tools collect it, from the corpus's real chunks
 * (../shared/corpus/evtx) mutated the way live logs, copies and collectors leave them: a log
 * that wrapped around (chunks not in record order, preallocated zero slots after), stale chunk
 * header counters in a dirty file, one checksum broken (header against records), empty logs,
 * real Sysmon values swapped for non-ASCII, surrogate-pair, 8.3 and 8-bit ones, and records
 * that do not decode. Both engines must give the same matches, problems and malformed counts;
 * through the CLI, a KAPE-style folder (`Microsoft-Windows-Sysmon%4Operational.evtx`, a
 * zero-byte log), stdin and 64 KiB shards must print the same rows. Layouts after the libevtx
 * documentation and omerbenamram/evtx (issues 197, pull request 22: chunks used non-linearly).
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ScanStats } from "../src/engine/engine.js";
import {
  type EvtxScanOptions,
  evtxPrefiltersOf,
  scanEvtxBytes,
  scanEvtxStream,
  WINDOW_CHUNKS,
} from "../src/engine/evtx-searcher.js";
import { DMP_WORD, holdsWord, TASKMGR_WORD, wordOffsets } from "../src/formats/evtx/word-offsets.js";
import { createScanner } from "../src/index.js";
import type { MatchedEvent } from "../src/rule/rule.js";
import { EvtxPrefilter } from "../src/wasm/evtx-prefilter.js";
import { loadMatcherModule } from "../src/wasm/module.js";
import { runCli } from "./helpers/cli.js";
import {
  CHUNK_SIZE,
  chunkOf,
  concat,
  fileHeader,
  fixHeaderCrc,
  fixRecordsCrc,
  instanceAt,
  recordsOf,
  replaceEventDataValue,
  setU32,
  setU64,
  u32,
  utf16le,
} from "./helpers/evtx-mutate.js";
import {
  buildEvtx,
  dmpLiteralTemplate,
  type RecordSpec,
  type SysmonEvent,
  sysmonRecord,
  sysmonValues,
  v,
} from "./helpers/evtx-writer.js";
import { corpusDir, corpusFileNames, scratchDir } from "./helpers/fixtures.js";

const CORPUS = corpusDir("evtx");
const HAVE_EVTX = corpusFileNames("evtx", ".evtx").includes("mdec_ID11_lsass_dump_via_taskmgr.evtx");
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(CORPUS, name)));

type Mode = "fast" | "reference";

function scan(bytes: Uint8Array, mode: Mode, carve = false): { stats: ScanStats; matches: MatchedEvent[] } {
  const matches: MatchedEvent[] = [];
  const options: EvtxScanOptions = mode === "fast" ? { prefilters: evtxPrefiltersOf(loadMatcherModule()) } : {};
  const stats = scanEvtxBytes(bytes, (m) => matches.push(m), { ...options, carve });
  return { stats, matches };
}

/** Both engines, which must agree on matches, problems and malformed records (count and offsets). */
function scanBoth(bytes: Uint8Array, carve = false): { stats: ScanStats; matches: MatchedEvent[] } {
  const fast = scan(bytes, "fast", carve);
  const reference = scan(bytes, "reference", carve);
  expect(fast.matches).toEqual(reference.matches);
  expect(fast.stats.problems).toEqual(reference.stats.problems);
  expect(fast.stats.malformedRecords).toBe(reference.stats.malformedRecords);
  expect(fast.stats.malformedOffsets).toEqual(reference.stats.malformedOffsets);
  expect(fast.stats.bytes).toBe(bytes.length);
  return fast;
}

/** The true positive's EventData values (Sysmon 13 FileCreate without User): Image 4, TargetFilename 5. */
const IMAGE = 4;
const TARGET = 5;
const TP_TARGET = "C:\\Users\\admmig\\AppData\\Local\\Temp\\lsass (4).DMP";

describe.skipIf(!HAVE_EVTX)("EVTX from real chunks, as Windows and collectors leave them", () => {
  const tp = HAVE_EVTX ? read("mdec_ID11_lsass_dump_via_taskmgr.evtx") : new Uint8Array(0);
  const procdump = HAVE_EVTX ? read("splunk_T1003.001_procdump_sysmon.evtx") : new Uint8Array(0);
  const tpChunk = HAVE_EVTX ? chunkOf(tp, 0) : new Uint8Array(0);
  const procdumpChunks = Array.from({ length: 13 }, (_, i) => (HAVE_EVTX ? chunkOf(procdump, i) : new Uint8Array(0)));
  const zero = new Uint8Array(CHUNK_SIZE);

  it("a wrapped log: chunks out of record order, the match in the middle, zero slots after, dirty header saying 1", () => {
    const file = concat(
      fileHeader(procdump, 1, 1),
      ...procdumpChunks.slice(5),
      tpChunk,
      ...procdumpChunks.slice(0, 5),
      zero,
      zero,
    );
    const { stats, matches } = scanBoth(file);
    expect(stats.problems).toEqual([]);
    expect(matches.map((m) => [m.dest, m.targetFilename])).toEqual([["fs03vuln.offsec.lan", TP_TARGET]]);
    expect(stats.recordsExamined).toBeGreaterThan(0);
  });

  it("stale chunk header counters (last record number, id and offset) do not matter", () => {
    const chunk = tpChunk.slice();
    setU64(chunk, 16, 0n);
    setU64(chunk, 32, 0n);
    setU32(chunk, 44, 0);
    fixHeaderCrc(chunk);
    const { stats, matches } = scanBoth(concat(fileHeader(tp, 0, 3), chunk));
    expect(stats.problems).toEqual([]);
    expect(matches).toHaveLength(1);
  });

  it("a broken records checksum and a broken header checksum are named apart; their records are read as they are", () => {
    const records = tpChunk.slice();
    const at = Buffer.from(records).indexOf(Buffer.from("admmig", "utf16le"));
    (records[at] as number) ^= 1;
    const header = tpChunk.slice();
    (header[60] as number) ^= 0xff;
    const file = concat(fileHeader(tp, 2, 1), records, header);
    const live = scanBoth(file);
    // As evtxexport reads them: the flipped bit shows in the value.
    expect(live.matches.map((m) => [m.targetFilename, m.carved])).toEqual([
      ["C:\\Users\\`dmmig\\AppData\\Local\\Temp\\lsass (4).DMP", undefined],
      [TP_TARGET, undefined],
    ]);
    expect(live.stats.problems).toEqual([
      "chunk 0 at offset 4096: event records checksum mismatch; its records read as they are",
      "chunk 1 at offset 69632: chunk header checksum mismatch; its records read as they are",
    ]);
    // Nothing is left for --carve: the records are live.
    expect(scanBoth(file, true).matches).toEqual(live.matches);
  });

  it("a chunk torn by a live copy (records checksum stale, last record half written): the records before it count", () => {
    // A copy of a log being written (KAPE's raw copy, a shadow copy) can hold the chunk header
    // of a later moment than its records: the header counts a record whose bytes are only half
    // there, so the records checksum fails. libevtx (evtxexport) and evtx_dump read the records
    // before the torn one as live (omerbenamram/evtx's 2-vss_0-*RdpCoreTS*.evtx, a shadow copy:
    // evtxexport reads 1,910 records, 191 of them in its two torn chunks; libevtx documentation,
    // "Corruption scenario: event record mismatch between size and copy of size"). The newest
    // events, an attack's, are in exactly that chunk.
    const [[first, size]] = recordsOf(tpChunk) as [[number, number]];
    const torn = tpChunk.slice();
    const second = first + size;
    torn.set(tpChunk.subarray(first, second), second);
    setU64(torn, second + 8, 2n);
    setU64(torn, 16, 2n);
    setU64(torn, 32, 2n);
    setU32(torn, 44, second);
    setU32(torn, 48, second + size);
    fixRecordsCrc(torn);
    fixHeaderCrc(torn);
    torn.fill(0, second + size / 2, second + size);
    const tornFile = concat(fileHeader(tp, 1, 1), torn);
    const { stats, matches } = scanBoth(tornFile);
    expect(matches.map((m) => m.targetFilename)).toEqual([TP_TARGET]);
    expect(stats.problems).toEqual([
      `chunk 0 at offset 4096: event records checksum mismatch; record at chunk offset ${second}: size copy mismatch; rest of chunk skipped`,
    ]);
    // A stale header checksum (its string table overwritten) does not lose the records either.
    const staleHeader = tpChunk.slice();
    (staleHeader[200] as number) ^= 0xff;
    const header = scanBoth(concat(fileHeader(tp, 1, 1), staleHeader));
    expect(header.matches.map((m) => m.targetFilename)).toEqual([TP_TARGET]);
    expect(header.stats.problems).toEqual([
      "chunk 0 at offset 4096: chunk header checksum mismatch; its records read as they are",
    ]);
    // Through the CLI: the row, the line naming the damage, status 2, in both engines.
    const path = join(scratchDir(), "Microsoft-Windows-Sysmon%4Operational.evtx");
    writeFileSync(path, tornFile);
    for (const engine of ["wasm", "reference"]) {
      const r = runCli(["scan", "-f", "jsonl", "--no-progress", "--engine", engine, path]);
      expect(r.status).toBe(2);
      expect(JSON.parse(r.stdout).TargetFilename).toBe(TP_TARGET);
      expect(r.stderr).toContain(`${path}: chunk 0 at offset 4096: event records checksum mismatch; record at`);
    }
  });

  it("a record header whose size is 0 is named as that, not as a record running past its chunk", () => {
    // omerbenamram/evtx's sample-with-zero-data-size-event.evtx: a dirty System log whose first
    // chunk holds two records, then a record header saying size 0 (evtx_dump: "Invalid EVTX
    // record data size, should be equals or greater than 28, found `0`").
    const [[first, size]] = recordsOf(tpChunk) as [[number, number]];
    const chunk = tpChunk.slice();
    const next = first + size;
    chunk.set(tpChunk.subarray(first, first + 24), next);
    setU32(chunk, next + 4, 0);
    setU32(chunk, 48, next + 1024);
    fixRecordsCrc(chunk);
    fixHeaderCrc(chunk);
    const { stats, matches } = scanBoth(concat(fileHeader(tp, 1, 1), chunk));
    expect(matches.map((m) => m.targetFilename)).toEqual([TP_TARGET]);
    expect(stats.problems).toEqual([
      `chunk 0 at offset 4096: record at chunk offset ${next} says it is 0 bytes long (a record is at least 29); rest of chunk skipped`,
    ]);
  });

  it("a log written without checksums (file and chunk flag 0x4, CRC-32 fields 0) is read silently; its header still counts chunks", () => {
    // As Windows 10 2004 and later may write a log (format 3.2): flag 0x4 on the file header and
    // on every chunk (dirty | no-CRC = 5), every CRC-32 field 0. Layout after omerbenamram/evtx
    // commit a0ec4c4 (`NO_CRC32`, its sample Application_no_crc32.evtx, 17 records evtxexport reads).
    const chunk = tpChunk.slice();
    setU32(chunk, 120, 5);
    setU32(chunk, 52, 0);
    setU32(chunk, 124, 0);
    const header = fileHeader(tp, 1, 4);
    setU32(header, 124, 0);
    const { stats, matches } = scanBoth(concat(header, chunk));
    expect(stats.problems).toEqual([]);
    expect(matches.map((m) => m.targetFilename)).toEqual([TP_TARGET]);
    // Its header's chunk count is read all the same: one chunk of two copied.
    const two = fileHeader(tp, 2, 4);
    setU32(two, 124, 0);
    expect(scanBoth(concat(two, chunk)).stats.problems).toEqual([
      "truncated: the file header counts 2 chunks, the file ends after 1 (at offset 69632)",
    ]);
    // Without the flag, zero checksums are damage as before.
    const unflagged = chunk.slice();
    setU32(unflagged, 120, 1);
    expect(scanBoth(concat(fileHeader(tp, 1, 1), unflagged)).stats.problems).toHaveLength(1);
  });

  it("a slot whose header page is zero but whose records are there is named, not taken for an unused slot", () => {
    // A copy of a log being written can hold a chunk's records without its first page (header,
    // first records): omerbenamram/evtx's sample_with_a_bad_chunk_magic.evtx (a dirty log) has two
    // such slots, one with the 67 newest records of the log. No chunk header, no live records
    // (evtxexport reads none of them either), but they are there: never silently skipped.
    const chunk = procdumpChunks[3]?.slice() as Uint8Array;
    chunk.fill(0, 0, 4096);
    const first = (
      recordsOf(procdumpChunks[3] as Uint8Array).find(([offset]) => offset >= 4096) as [number, number]
    )[0];
    const { stats, matches } = scanBoth(concat(fileHeader(procdump, 1, 1), tpChunk, chunk, zero));
    expect(matches.map((m) => m.targetFilename)).toEqual([TP_TARGET]);
    expect(stats.problems).toEqual([
      `chunk 1 at offset 69632: no chunk header (zero bytes), yet records follow (the first at chunk offset ${first}); chunk skipped`,
    ]);
    // Zero bytes, or leftovers that hold no record, are an unused slot as before.
    const leftovers = zero.slice();
    leftovers.set(procdumpChunks[3]?.subarray(600, 2000) as Uint8Array, 600);
    leftovers.fill(0x2a, 3000, 3004);
    expect(scanBoth(concat(fileHeader(procdump, 1, 1), tpChunk, zero, leftovers)).stats.problems).toEqual([]);
  });

  it("past the header's chunk count, bytes that are neither a chunk nor a record are unused space; within it, damage", () => {
    // omerbenamram/evtx's sysmon.evtx (a dirty Sysmon log, header count 1): nine live chunks, a
    // zero slot, then seven slots of leftover disk data, as a raw copy reads past what Windows
    // wrote. evtx_dump, chainsaw and hayabusa stop there without a word; so do we, and still
    // read a live chunk after them.
    let seed = 7;
    const leftover = Uint8Array.from({ length: CHUNK_SIZE }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    });
    leftover[0] = 0x03; // not zero, not "ElfChnk"
    const again = leftover.slice();
    again.reverse();
    const dirty = concat(fileHeader(procdump, 1, 1), procdumpChunks[0] as Uint8Array, zero, leftover, tpChunk, again);
    const quiet = scanBoth(dirty);
    expect(quiet.matches.map((m) => m.targetFilename)).toEqual([TP_TARGET]);
    expect(quiet.stats.problems).toEqual([]);
    // Slots the header counts are chunks: the same bytes there are a chunk lost.
    const counted = scanBoth(
      concat(fileHeader(procdump, 5, 0), procdumpChunks[0] as Uint8Array, zero, leftover, tpChunk, again),
    );
    expect(counted.matches.map((m) => m.targetFilename)).toEqual([TP_TARGET]);
    expect(counted.stats.problems).toEqual([
      "chunk 2 at offset 135168: bad chunk magic; chunk skipped",
      "chunk 4 at offset 266240: bad chunk magic; chunk skipped",
    ]);
    // A header whose checksum fails says nothing: every such slot is damage.
    const badHeader = fileHeader(procdump, 1, 1);
    badHeader[124] = (badHeader[124] as number) ^ 1;
    expect(scanBoth(concat(badHeader, procdumpChunks[0] as Uint8Array, leftover)).stats.problems).toEqual([
      "chunk 1 at offset 69632: bad chunk magic; chunk skipped",
    ]);
    // Pushed in pieces (the embedding API): the same.
    const scanner = createScanner();
    for (let at = 0; at < dirty.length; at += 5000) scanner.push(dirty.subarray(at, at + 5000));
    scanner.end();
    expect(scanner.stats().problems).toEqual([]);
    expect(scanner.rows().map((r) => r.TargetFilename)).toEqual([TP_TARGET]);
    // The CLI, whole, in one-chunk shards and from a stream: no problem, status 1 (an alert).
    const path = join(scratchDir(), "raw-copy-Microsoft-Windows-Sysmon%4Operational.evtx");
    writeFileSync(path, dirty);
    for (const engine of ["wasm", "reference"]) {
      for (const extra of [[], ["--shard-size", "64k"]]) {
        const r = runCli(["scan", "-f", "jsonl", "--no-progress", "--engine", engine, ...extra, path]);
        expect(r.stderr, `${engine} ${extra.join(" ")}`).not.toContain("chunk");
        expect(r.status).toBe(1);
      }
      const piped = runCli(["scan", "-f", "jsonl", "--no-progress", "--engine", engine, "-"], {
        input: Buffer.from(dirty),
      });
      expect(piped.stderr).not.toContain("chunk");
      expect(piped.status).toBe(1);
    }
  });

  it("empty logs: a header alone, a zero chunk slot, an initialized chunk without records", () => {
    const initialized = zero.slice();
    initialized.set(tpChunk.subarray(0, 8));
    setU64(initialized, 8, 1n);
    setU64(initialized, 24, 1n);
    setU32(initialized, 40, 128);
    setU32(initialized, 48, 512);
    fixRecordsCrc(initialized);
    fixHeaderCrc(initialized);
    for (const file of [
      fileHeader(tp, 0, 0),
      concat(fileHeader(tp, 1, 0), zero),
      concat(fileHeader(tp, 1, 0), initialized),
    ]) {
      const { stats, matches } = scanBoth(file);
      expect(stats.problems).toEqual([]);
      expect(matches).toEqual([]);
      expect(stats.recordsExamined).toBe(0);
    }
    // The real header alone, though, counts the chunk that held the match: a file cut short.
    expect(scanBoth(tp.slice(0, 4096)).stats.problems).toEqual([
      "truncated: the file header counts 1 chunk, the file ends after 0 (at offset 4096)",
    ]);
  });

  it("real Sysmon values swapped: non-ASCII and surrogate-pair user names, 8.3 names, a trailing NUL, 8-bit strings", () => {
    const target = (s: string): Uint8Array => replaceEventDataValue(tpChunk, TARGET, 0x01, utf16le(s));
    const cases: [Uint8Array, string, string][] = [
      [
        target("C:\\Users\\Jürgen Müller\\AppData\\Local\\Temp\\lsass.DMP"),
        "Taskmgr.exe",
        "C:\\Users\\Jürgen Müller\\AppData\\Local\\Temp\\lsass.DMP",
      ],
      [
        target("C:\\Users\\😀田中\\AppData\\Local\\Temp\\lsass (2).DMP"),
        "Taskmgr.exe",
        "C:\\Users\\😀田中\\AppData\\Local\\Temp\\lsass (2).DMP",
      ],
      [
        target("C:\\Users\\ADMINI~1\\AppData\\Local\\Temp\\lsass.DMP"),
        "Taskmgr.exe",
        "C:\\Users\\ADMINI~1\\AppData\\Local\\Temp\\lsass.DMP",
      ],
      [
        target("C:\\Users\\a\\AppData\\Local\\Temp\\lsass.DMP\0"),
        "Taskmgr.exe",
        "C:\\Users\\a\\AppData\\Local\\Temp\\lsass.DMP",
      ],
      [
        replaceEventDataValue(tpChunk, IMAGE, 0x01, utf16le("C:\\WINDOW~1\\SYSTEM~1\\TASKMGR.EXE")),
        "TASKMGR.EXE",
        TP_TARGET,
      ],
      [
        replaceEventDataValue(
          replaceEventDataValue(tpChunk, IMAGE, 0x02, Buffer.from("C:\\WINDOWS\\system32\\taskmgr.exe", "latin1")),
          TARGET,
          0x02,
          Buffer.from("C:\\Users\\J\xfcrgen\\AppData\\Local\\Temp\\lsass.dmp\0", "latin1"),
        ),
        "taskmgr.exe",
        "C:\\Users\\Jürgen\\AppData\\Local\\Temp\\lsass.dmp",
      ],
    ];
    for (const [chunk, processName, targetFilename] of cases) {
      const { stats, matches } = scanBoth(concat(fileHeader(tp, 1, 1), chunk));
      expect(stats.problems).toEqual([]);
      expect(matches.map((m) => [m.processName, m.targetFilename])).toEqual([[processName, targetFilename]]);
    }
    // Image NULL (an optional substitution without a value): no process, no match.
    const noImage = scanBoth(
      concat(fileHeader(tp, 1, 1), replaceEventDataValue(tpChunk, IMAGE, 0x00, new Uint8Array(0))),
    );
    expect(noImage.matches).toEqual([]);
  });

  it("a record that does not decode counts in both engines exactly when it could have held a match", () => {
    // The true positive with an unknown value type in its System values (CRCs fixed): it held `.dmp` and taskmgr.
    const broken = tpChunk.slice();
    const { descriptors, values } = instanceAt(broken, 512 + 24);
    const nullValue = values.find((value) => value.type === 0 && value.size === 0);
    if (nullValue === undefined) throw new Error("no NULL value in the real record");
    broken[descriptors + 4 * nullValue.index + 2] = 0x22;
    fixRecordsCrc(broken);
    fixHeaderCrc(broken);
    const counted = scanBoth(concat(fileHeader(tp, 1, 1), broken));
    expect(counted.matches).toEqual([]);
    expect(counted.stats.malformedRecords).toBe(1);
    expect(counted.stats.malformedOffsets).toEqual([4096 + 512]);
    // A background record broken the same way (no `.dmp` in it, nor taskmgr in its chunk): not counted.
    const background = read("mdec_psexec_background.evtx");
    const chunk = chunkOf(background, 0);
    const [offset] = recordsOf(chunk)[3] as [number, number];
    chunk[offset + 24] = 0x7f;
    fixRecordsCrc(chunk);
    fixHeaderCrc(chunk);
    const skipped = scanBoth(concat(fileHeader(background, 1, 1), chunk));
    expect(skipped.stats.malformedRecords).toBe(0);
    expect(u32(chunk, 48)).toBeGreaterThan(offset);
  });

  it("through the CLI: a KAPE-style Logs folder, stdin and 64 KiB shards print the same rows in both engines", () => {
    const root = scratchDir();
    const logs = join(root, "C", "Windows", "System32", "winevt", "Logs");
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, "Microsoft-Windows-Sysmon%4Operational.evtx"), tp);
    writeFileSync(
      join(logs, "Microsoft-Windows-Sysmon%4Operational (wrapped).evtx"),
      concat(fileHeader(procdump, 1, 1), ...procdumpChunks.slice(7), tpChunk, ...procdumpChunks.slice(0, 7), zero),
    );
    writeFileSync(join(logs, "Setup.evtx"), concat(fileHeader(tp, 1, 0), zero));
    writeFileSync(join(logs, "Microsoft-Windows-Kernel-PnP%4Device Management.evtx"), new Uint8Array(0));
    writeFileSync(join(logs, "Security.evtx"), read("mdec_ID4663_security_channel_taskmgr.evtx"));
    const outputs: string[] = [];
    for (const engine of ["wasm", "reference"]) {
      for (const shard of [[], ["--shard-size", "64k"]]) {
        const r = runCli(["scan", "-f", "jsonl", "-v", "--no-progress", "--engine", engine, ...shard, root]);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("Kernel-PnP%4Device Management.evtx: empty");
        expect(r.stderr).not.toMatch(/at .*\.js:\d+|Error:/);
        outputs.push(r.stdout);
      }
      const stdin = runCli(["scan", "-f", "jsonl", "--no-progress", "--engine", engine, "-"], {
        input: Buffer.from(tp),
      });
      expect(stdin.status).toBe(1);
      expect(JSON.parse(stdin.stdout).count).toBe(1);
    }
    expect(new Set(outputs).size).toBe(1);
    const rows = (outputs[0] as string)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.dest, r.process_name, r.TargetFilename, r.count])).toEqual([
      ["fs03vuln.offsec.lan", "Taskmgr.exe", TP_TARGET, 2],
    ]);
  });
});

if (!HAVE_EVTX) {
  describe("EVTX from real chunks", () => {
    it.skip("skipped: ../shared/corpus/evtx is absent", () => {});
  });
}

describe("damaged records on built files: counted by both engines only where the fast path looks", () => {
  const event = (i: number, overrides: Partial<SysmonEvent> = {}): SysmonEvent => ({
    computer: `ws${i}.corp.example`,
    image: "C:\\Windows\\System32\\Taskmgr.exe",
    target: `C:\\Users\\u${i}\\AppData\\Local\\Temp\\lsass.DMP`,
    time: "2021-12-04T21:10:40.7235999Z",
    recordId: BigInt(i),
    ...overrides,
  });
  /** A record whose ProcessId is a UTF-16 string of odd size: it does not decode. */
  const damaged = (e: SysmonEvent): RecordSpec => {
    const values = sysmonValues(e);
    values[16] = v.raw(0x01, Uint8Array.of(0x41, 0, 0x42));
    return { ...sysmonRecord(e), values };
  };
  const background = (i: number): RecordSpec =>
    sysmonRecord(event(i, { eventId: 1, image: "C:\\Windows\\explorer.exe", target: `C:\\Temp\\r${i}.docx` }));
  /** A template whose TargetFilename is literal text with `.dmp`: its definition makes every record of the chunk a candidate. */
  const literal = dmpLiteralTemplate("{0D1E2F30-0000-4000-8000-000000000002}");

  it("with `.dmp` (its own, or in its chunk's template definition) in a chunk holding taskmgr: counted; else not", () => {
    const file = buildEvtx({
      chunks: [
        { records: [background(1), damaged(event(2)), sysmonRecord(event(3)), background(4)] },
        { records: [background(5), damaged(event(6, { target: "C:\\Temp\\x.txt" })), sysmonRecord(event(7))] },
        { records: [background(8), damaged(event(9, { image: "C:\\Windows\\explorer.exe" })), background(10)] },
        // `.dmp` only in a template definition: every record of the chunk is a candidate.
        {
          records: [
            { template: literal, values: [v.u16(1), v.string("lit"), v.string("C:\\Windows\\Taskmgr.exe")] },
            damaged(event(11, { image: "C:\\Windows\\explorer.exe", target: "C:\\Temp\\y.txt" })),
          ],
        },
      ],
    }).bytes;
    const { stats, matches } = scanBoth(file);
    expect(matches.map((m) => m.targetFilename)).toEqual([event(3).target, event(7).target]);
    expect(stats.malformedRecords).toBe(2);
    expect(stats.malformedOffsets).toHaveLength(2);
    expect(stats.malformedOffsets[0]).toBeLessThan(4096 + CHUNK_SIZE);
    expect(stats.malformedOffsets[1]).toBeGreaterThan(4096 + 3 * CHUNK_SIZE);
  });

  it("agrees on random chunks of matches, background, template literals holding `.dmp` and damaged records", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(
            fc.constantFrom("match", "background", "literal", "damaged-dmp", "damaged-plain", "damaged-explorer"),
            {
              minLength: 1,
              maxLength: 8,
            },
          ),
          { minLength: 1, maxLength: 3 },
        ),
        (chunks) => {
          let i = 0;
          const spec = chunks.map((kinds) => ({
            records: kinds.map((kind) => {
              i++;
              if (kind === "match") return sysmonRecord(event(i));
              if (kind === "background") return background(i);
              if (kind === "literal") {
                return {
                  template: literal,
                  values: [v.u16(11), v.string(`lit${i}`), v.string("C:\\Windows\\Taskmgr.exe")],
                };
              }
              if (kind === "damaged-dmp") return damaged(event(i));
              if (kind === "damaged-plain") return damaged(event(i, { target: "C:\\Temp\\x.txt" }));
              return damaged(event(i, { image: "C:\\Windows\\explorer.exe", target: "C:\\Temp\\y.txt" }));
            }),
          }));
          scanBoth(buildEvtx({ chunks: spec }).bytes);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("the JavaScript mirror of the EVTX prefilter (formats/evtx/word-offsets.ts)", () => {
  it("finds what the wasm prefilter finds, `.dmp` and taskmgr, on random bytes with planted spellings", () => {
    const prefilter = new EvtxPrefilter(loadMatcherModule(), 4096);
    const pieces = [".dmp", ".DMP", ".dMp", "taskmgr", "TaskMgr", "TASKMGR", ".dm", "taskmg", "x"];
    const piece = fc.oneof(
      fc.constantFrom(...pieces).map((s) => Buffer.from(s, "latin1")),
      fc.constantFrom(...pieces).map((s) => Buffer.from(s, "utf16le")),
      fc.uint8Array({ maxLength: 70 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const bytes = concat(...parts).subarray(0, 4096);
        prefilter.input.set(bytes);
        const { offsets, count } = prefilter.candidates(bytes.length);
        expect(wordOffsets(bytes, DMP_WORD)).toEqual([...offsets.subarray(0, count)]);
        expect(holdsWord(bytes, TASKMGR_WORD)).toBe(prefilter.containsTaskmgr(0, bytes.length));
      }),
      { numRuns: 300 },
    );
  });
});

describe("EVTX streams (stdin, archive members) are scanned window by window as they arrive", () => {
  const event = (i: number): SysmonEvent => ({
    computer: `ws${i}.corp.example`,
    image: "C:\\Windows\\System32\\Taskmgr.exe",
    target: `C:\\Users\\u${i}\\AppData\\Local\\Temp\\lsass (${i}).DMP`,
    time: "2021-12-04T21:10:40.7235999Z",
    recordId: BigInt(i),
  });
  // More chunks than one window holds, a damaged one, slack for carving, a truncated end.
  const chunks = Array.from({ length: WINDOW_CHUNKS + 3 }, (_, c) =>
    c % 40 === 7
      ? {
          records: [sysmonRecord(event(c))],
          slack: [sysmonRecord(event(1000 + c))],
          ...(c === 47 ? { damage: "records-crc" as const } : {}),
        }
      : { records: [], empty: true },
  );
  const whole = buildEvtx({ chunks }).bytes;
  const files = [
    whole,
    whole.subarray(0, whole.length - 30_000),
    whole.subarray(0, 3000),
    whole.subarray(0, 5),
    whole.subarray(4096),
  ];

  async function* pieces(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
    let at = 0;
    for (let i = 0; at < bytes.length; i++) {
      const n = Math.max(1, sizes[i % sizes.length] as number);
      yield bytes.slice(at, at + n);
      at += n;
    }
  }

  const outcome = async (run: () => ScanStats | Promise<ScanStats>, matches: MatchedEvent[]) => {
    try {
      const stats = await run();
      return { stats, matches: [...matches] };
    } catch (err) {
      return { error: String(err) };
    }
  };

  it("gives what scanEvtxBytes gives on the whole stream, cut into pieces of any size, in both engines", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files.keys()),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 300_000 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.constantFrom<Mode>("fast", "reference"),
        fc.boolean(),
        async (file, sizes, mode, carve) => {
          const bytes = files[file] as Uint8Array;
          const options: EvtxScanOptions = {
            ...(mode === "fast" ? { prefilters: evtxPrefiltersOf(loadMatcherModule()) } : {}),
            carve,
          };
          const fromBytes: MatchedEvent[] = [];
          const fromStream: MatchedEvent[] = [];
          const expected = await outcome(() => scanEvtxBytes(bytes, (m) => fromBytes.push(m), options), fromBytes);
          const actual = await outcome(
            () => scanEvtxStream(pieces(bytes, sizes), (m) => fromStream.push(m), options),
            fromStream,
          );
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });
});
