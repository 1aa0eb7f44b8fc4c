/**
 * EVTX as triage tools lay it out: a file cut at a chunk boundary (no chunk check can see the
 * chunks that are gone, only the file header's count), Windows' own dirty and archived logs,
 * KAPE's folder tree with `%4` and non-ASCII names, upper-case `.EVTX`, a directory named
 * `*.evtx`, zero-byte and header-only files, a symbolic link loop, and Velociraptor's offline
 * collector zip. Every file is built with the test EVTX writer; both engines must agree.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { ScanStats } from "../src/engine/engine.js";
import {
  type EvtxScanOptions,
  evtxPrefiltersOf,
  scanEvtxBytes,
  scanEvtxFile,
  scanEvtxFileRange,
  scanEvtxStream,
} from "../src/engine/evtx-searcher.js";
import { CHUNK_SIZE } from "../src/formats/evtx/index.js";
import { createScanner } from "../src/index.js";
import type { MatchedEvent } from "../src/rule/rule.js";
import { loadMatcherModule } from "../src/wasm/module.js";
import { buildEvtx, type RecordSpec, type SysmonEvent, sysmonRecord } from "./helpers/evtx-writer.js";
import { scratchDir } from "./helpers/fixtures.js";

const TASKMGR = "C:\\Windows\\System32\\Taskmgr.exe";

function event(i: number, overrides: Partial<SysmonEvent> = {}): SysmonEvent {
  return {
    computer: `ws${i}.corp.example`,
    image: TASKMGR,
    target: `C:\\Users\\u${i}\\AppData\\Local\\Temp\\lsass.DMP`,
    time: "2024-10-16T09:51:12.1234567Z",
    recordId: BigInt(i),
    ...overrides,
  };
}

function hit(i: number): RecordSpec {
  return sysmonRecord(event(i));
}

type Mode = "fast" | "reference";
const MODES: Mode[] = ["fast", "reference"];

function options(mode: Mode): EvtxScanOptions {
  return mode === "fast" ? { prefilters: evtxPrefiltersOf(loadMatcherModule()) } : {};
}

/** Problems and matched hosts of `bytes` read whole, as a stream in odd pieces, and from a file (whole and in 64 KiB shards), in both engines; all must agree. */
async function scanEveryWay(bytes: Uint8Array): Promise<{ problems: string[]; dests: string[] }> {
  const results: { problems: string[]; dests: string[] }[] = [];
  const summary = (stats: ScanStats, matches: MatchedEvent[]) => ({
    problems: stats.problems,
    dests: matches.map((m) => m.dest),
  });
  const path = join(scratchDir(), "x.evtx");
  writeFileSync(path, bytes);
  for (const mode of MODES) {
    const whole: MatchedEvent[] = [];
    results.push(
      summary(
        scanEvtxBytes(bytes, (m) => whole.push(m), options(mode)),
        whole,
      ),
    );
    const streamed: MatchedEvent[] = [];
    const pieces = Readable.from(
      Array.from({ length: Math.ceil(bytes.length / 7001) }, (_, i) => bytes.subarray(i * 7001, (i + 1) * 7001)),
    );
    results.push(summary(await scanEvtxStream(pieces, (m) => streamed.push(m), options(mode)), streamed));
    const fromFile: MatchedEvent[] = [];
    results.push(summary(await scanEvtxFile(path, (m) => fromFile.push(m), options(mode)), fromFile));
    const sharded: MatchedEvent[] = [];
    const problems: string[] = [];
    for (let start = 0; start < bytes.length; start += CHUNK_SIZE) {
      const stats = await scanEvtxFileRange(path, start, start + CHUNK_SIZE, (m) => sharded.push(m), options(mode));
      problems.push(...stats.problems);
    }
    results.push({ problems, dests: sharded.map((m) => m.dest) });
  }
  for (const r of results) expect(r).toEqual(results[0]);
  return results[0] as { problems: string[]; dests: string[] };
}

describe("an EVTX file cut at a chunk boundary", () => {
  const three = buildEvtx({ chunks: [{ records: [hit(1)] }, { records: [hit(2)] }, { records: [hit(3)] }] }).bytes;

  it("is a problem naming the chunks the header counts and where the file ends, in every read and both engines", async () => {
    const cut = three.slice(0, 4096 + CHUNK_SIZE);
    const { problems, dests } = await scanEveryWay(cut);
    expect(problems).toEqual(["truncated: the file header counts 3 chunks, the file ends after 1 (at offset 69632)"]);
    expect(dests).toEqual(["ws1.corp.example"]);
    // Cut to the header alone: no chunk is left to report anything.
    expect((await scanEveryWay(three.slice(0, 4096))).problems).toEqual([
      "truncated: the file header counts 3 chunks, the file ends after 0 (at offset 4096)",
    ]);
  });

  it("the embedding scanner (push) says the same, in any piece size", () => {
    const cut = three.slice(0, 4096 + CHUNK_SIZE + 1000);
    for (const size of [1000, 4096, CHUNK_SIZE, cut.length]) {
      const scanner = createScanner();
      for (let at = 0; at < cut.length; at += size) scanner.push(cut.subarray(at, at + size));
      scanner.end();
      expect(scanner.stats().problems).toEqual([
        "truncated: the file header counts 3 chunks, the file ends after 2 (at offset 70632)",
        "chunk 1 at offset 69632: truncated (1000 of 65536 bytes)",
      ]);
    }
  });

  it("a log over 4 GiB counts its chunks in 32 bits: a copy of it cut short says how many it counts", async () => {
    // Windows writes logs over 4 GiB (65,536 chunks) with the count past 16 bits in the bytes
    // after it: 32 bits at 42-45 (libevtx issues 26 and 34, a 6 GB Security.evtx).
    // A copy of such a log that stopped short (a FAT32 stick stops at 4 GiB) is cut short
    // however its count's low 16 bits compare with what is left; here they say 2 of 65,538.
    const big = three.slice(0, 4096 + 2 * CHUNK_SIZE);
    const view = new DataView(big.buffer);
    view.setUint32(42, 65_538, true);
    view.setUint32(124, crc32(big.subarray(0, 120)), true);
    expect((await scanEveryWay(big)).problems).toEqual([
      "truncated: the file header counts 65538 chunks, the file ends after 2 (at offset 135168)",
    ]);
  });

  it("a header cut short says only that (its count is not read)", async () => {
    expect((await scanEveryWay(three.slice(0, 3000))).problems).toEqual(["file header truncated (3000 of 4096 bytes)"]);
  });

  it("a cut inside a chunk says both: the chunk cut short and the chunks after it that are gone", async () => {
    const { problems, dests } = await scanEveryWay(three.slice(0, 4096 + CHUNK_SIZE + 1000));
    expect(problems).toEqual([
      "truncated: the file header counts 3 chunks, the file ends after 2 (at offset 70632)",
      "chunk 1 at offset 69632: truncated (1000 of 65536 bytes)",
    ]);
    expect(dests).toEqual(["ws1.corp.example"]);
  });

  it("is no problem for a whole file, a dirty header that under-counts, preallocated slots, or a header whose checksum is wrong", async () => {
    expect((await scanEveryWay(three)).problems).toEqual([]);
    const dirty = buildEvtx({
      dirty: true,
      chunks: [{ records: [hit(1)] }, { records: [hit(2)] }, { records: [], empty: true }],
    }).bytes;
    expect(dirty[42]).toBe(1);
    expect(await scanEveryWay(dirty)).toEqual({ problems: [], dests: ["ws1.corp.example", "ws2.corp.example"] });
    // A damaged header's count says nothing (the file is read by its size, as always).
    const damaged = three.slice(0, 4096 + CHUNK_SIZE);
    damaged[42] = 9;
    expect((await scanEveryWay(damaged)).problems).toEqual([]);
  });
});
