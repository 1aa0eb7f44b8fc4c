/**
 * A followed EVTX file that Windows rewrites in place is read again only where it changed: the
 * chunk headers of every slot, then the chunks whose header changed and the chunk being written
 * (src/follow/evtx-chunks.ts). The hits are those a whole read would give: every record after
 * the last EventRecordID seen, also in a log that wrapped around.
 */

import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { chunkRunsToRead, type EvtxChunkPrints, readEvtxChunkPrints } from "../src/follow/evtx-chunks.js";
import { FollowedFile } from "../src/follow/file-state.js";
import { buildEvtx, type ChunkSpec, sysmonRecord } from "./helpers/evtx-writer.js";

const CHUNK = 65536;
const HEADER = 4096;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** One Sysmon FileCreate record: a true positive when `match`, else a decoy (notepad). */
function record(id: number, host: string, match: boolean) {
  return sysmonRecord(
    {
      computer: `${host}.corp.example`,
      image: match ? "C:\\Windows\\System32\\Taskmgr.exe" : "C:\\Windows\\System32\\notepad.exe",
      target: "C:\\Users\\a\\AppData\\Local\\Temp\\lsass.DMP",
      time: `2024-03-05T10:11:${String(id % 60).padStart(2, "0")}.1234567Z`,
      recordId: BigInt(id),
    },
    { id: BigInt(id) },
  );
}

/** A chunk holding records [first, first + count), the true positives among them named in `hits`. */
function chunk(first: number, count: number, hits: Record<number, string> = {}): ChunkSpec {
  return {
    records: Array.from({ length: count }, (_, k) => {
      const id = first + k;
      return record(id, hits[id] ?? "DECOY", hits[id] !== undefined);
    }),
  };
}

function write(path: string, chunks: ChunkSpec[]): void {
  writeFileSync(path, buildEvtx({ chunks, dirty: true }).bytes);
}

function tempFile(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lds-follow-evtx-"));
  dirs.push(dir);
  return join(dir, name);
}

async function look(file: FollowedFile) {
  const advance = await file.advance(statSync(file.path).size);
  file.commit();
  return {
    hosts: advance.hits.map((h) => h.dest.split(".")[0]),
    chunksScanned: (advance.scanned ?? 0) / CHUNK,
    problems: advance.problems,
  };
}

describe("chunkRunsToRead", () => {
  const prints = (values: number[], current: number): EvtxChunkPrints => ({
    chunksStart: HEADER,
    prints: Uint32Array.from(values),
    current,
  });

  test("every slot at the first look", () => {
    expect(chunkRunsToRead(prints([1, 2, 3], 2), undefined)).toEqual([[0, 3]]);
  });

  test("changed and new slots, the chunk being written now and the one written before, in runs", () => {
    const before = prints([1, 2, 3, 4, 5, 6], 3);
    const now = prints([1, 9, 9, 4, 5, 6, 7, 8], 5);
    expect(chunkRunsToRead(now, before)).toEqual([
      [1, 4],
      [5, 8],
    ]);
  });

  test("nothing changed: the chunk being written is still read (its header may lag behind its records)", () => {
    const same = prints([1, 2, 3, 4], 2);
    expect(chunkRunsToRead(same, same)).toEqual([[2, 3]]);
  });

  test("a lone chunk where a file was (another layout): everything", () => {
    expect(chunkRunsToRead({ ...prints([1, 2], 0), chunksStart: 0 }, prints([1, 2], 0))).toEqual([[0, 2]]);
  });
});

describe("readEvtxChunkPrints", () => {
  test("one print per slot; the current chunk is the one with the highest first EventRecordID", () => {
    const path = tempFile("wrapped.evtx");
    // A log that wrapped around: slot 0 was overwritten with the newest records.
    write(path, [chunk(41, 10), chunk(11, 10), chunk(21, 10), chunk(31, 10)]);
    const prints = readEvtxChunkPrints(path, statSync(path).size);
    expect(prints?.chunksStart).toBe(HEADER);
    expect(prints?.prints).toHaveLength(4);
    expect(new Set(prints?.prints).size).toBe(4);
    expect(prints?.current).toBe(0);
  });

  test("not EVTX: undefined", () => {
    const path = tempFile("x.evtx");
    writeFileSync(path, "{}\n");
    expect(readEvtxChunkPrints(path, 3)).toBeUndefined();
  });
});

describe("FollowedFile on an EVTX file rewritten in place", () => {
  test("a new record in the chunk being written: that chunk is scanned, not the file", async () => {
    const path = tempFile("Microsoft-Windows-Sysmon%4Operational.evtx");
    const full = Array.from({ length: 30 }, (_, i) => chunk(i * 10 + 1, 10, i === 3 ? { 35: "OLD" } : {}));
    write(path, [...full, chunk(301, 5)]);
    const file = new FollowedFile(path, FollowedFile.fresh(0, 0));
    expect(await look(file)).toEqual({ hosts: ["OLD"], chunksScanned: 31, problems: [] });

    // The next records go into the last chunk (same file size); one of them is a true positive.
    write(path, [...full, chunk(301, 8, { 307: "NEW" })]);
    expect(await look(file)).toEqual({ hosts: ["NEW"], chunksScanned: 1, problems: [] });

    // Nothing new: the current chunk is read again and gives nothing twice.
    expect(await look(file)).toEqual({ hosts: [], chunksScanned: 1, problems: [] });
  });

  test("the log fills a new slot, then wraps around over its oldest chunk", async () => {
    const path = tempFile("Sysmon.evtx");
    const slots = [chunk(1, 10), chunk(11, 10), chunk(21, 10, { 22: "A" })];
    write(path, slots);
    const file = new FollowedFile(path, FollowedFile.fresh(0, 0));
    expect((await look(file)).hosts).toEqual(["A"]);

    // A fourth slot is started (the file grows by a chunk).
    slots.push(chunk(31, 3, { 32: "B" }));
    write(path, slots);
    const grown = await look(file);
    expect(grown.hosts).toEqual(["B"]);
    expect(grown.chunksScanned).toBe(2); // the new chunk and the one written at the last look

    // Full: slot 0 (the oldest) is overwritten with the newest records, same size.
    slots[0] = chunk(41, 4, { 43: "C" });
    write(path, slots);
    const wrapped = await look(file);
    expect(wrapped.hosts).toEqual(["C"]);
    expect(wrapped.chunksScanned).toBe(2); // slot 0, and slot 3 (current at the last look)
  });

  test("hits of one look come in EventRecordID order, not file order", async () => {
    const path = tempFile("Sysmon.evtx");
    const file = new FollowedFile(path, FollowedFile.fresh(0, 0));
    write(path, [chunk(1, 5), chunk(6, 5)]);
    expect((await look(file)).hosts).toEqual([]);
    // Both slots rewritten at once: slot 0 now holds newer records than slot 1.
    write(path, [chunk(21, 5, { 22: "LATER" }), chunk(11, 5, { 12: "EARLIER" })]);
    expect((await look(file)).hosts).toEqual(["EARLIER", "LATER"]);
  });

  test("a damaged chunk is reported once, and the other chunks are still read", async () => {
    const path = tempFile("Sysmon.evtx");
    const file = new FollowedFile(path, FollowedFile.fresh(0, 0));
    const slots: ChunkSpec[] = [{ ...chunk(1, 5), damage: "records-crc" }, chunk(6, 5, { 7: "OK" })];
    write(path, slots);
    const first = await look(file);
    expect(first.hosts).toEqual(["OK"]);
    expect(first.problems).toHaveLength(1);
    slots[1] = chunk(6, 7, { 12: "MORE" });
    write(path, slots);
    expect(await look(file)).toEqual({ hosts: ["MORE"], chunksScanned: 1, problems: [] });
  });

  test("a restart (no prints in memory) reads every chunk once; the state's EventRecordID keeps old alerts away", async () => {
    const path = tempFile("Sysmon.evtx");
    write(path, [chunk(1, 5, { 2: "ONE" }), chunk(6, 5)]);
    const first = new FollowedFile(path, FollowedFile.fresh(0, 0));
    expect((await look(first)).hosts).toEqual(["ONE"]);
    write(path, [chunk(1, 5, { 2: "ONE" }), chunk(6, 6, { 11: "TWO" })]);
    const again = new FollowedFile(path, first.state);
    expect(await look(again)).toEqual({ hosts: ["TWO"], chunksScanned: 2, problems: [] });
  });
});
