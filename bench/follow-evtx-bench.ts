/**
 * Follow mode on an EVTX log that Windows rewrites in place: what one look costs once the file
 * is known (src/follow/evtx-chunks.ts: every chunk header, then only the chunks that changed)
 * against the first look, which reads the whole file, as every look did before. Side by side in
 * one run, interleaved: each round makes a fresh FollowedFile (first look: whole), then changes
 * the chunk being written (another valid chunk copied over it, as Windows rewrites it) and looks
 * again. Sizes: Sysmon's default log (64 MiB) and a 1 GiB one (its chunks 16 times over: the
 * generator holds a corpus in memory, too much at 1 GiB). Medians.
 *
 *   npm run build && npm run build:bench && node dist-bench/bench/follow-evtx-bench.js [rounds]
 */

import {
  appendFileSync,
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FollowedFile } from "../src/follow/file-state.js";
import { CHUNK_SIZE, chunkOffset, evtxChunkCount, FILE_HEADER_SIZE } from "../src/formats/evtx/layout.js";
import { evtxCorpusFile } from "./data-store.js";
import { median } from "./measure.js";

const ROUNDS = Number(process.argv[2] ?? 7);
/** Times the 64 MiB log's chunks are written one after another. */
const COPIES = [1, 16];

/** Copies chunk `from` over chunk `to` in place: the slot's header and records change, its size does not. */
function rewriteChunk(path: string, from: number, to: number): void {
  const fd = openSync(path, "r+");
  try {
    const chunk = Buffer.alloc(CHUNK_SIZE);
    readSync(fd, chunk, 0, CHUNK_SIZE, chunkOffset(from));
    writeSync(fd, chunk, 0, CHUNK_SIZE, chunkOffset(to));
  } finally {
    closeSync(fd);
  }
}

async function timeLook(file: FollowedFile, size: number): Promise<{ ms: number; scanned: number }> {
  const started = performance.now();
  const advance = await file.advance(size);
  const ms = performance.now() - started;
  file.commit();
  return { ms, scanned: advance.scanned ?? 0 };
}

console.log(`node ${process.version}; ${ROUNDS} rounds, interleaved; medians`);
console.log("");
console.log("| log | first look (whole file) | a later look (changed chunks) | ratio | bytes scanned later |");
console.log("|---|---|---|---|---|");
const source = evtxCorpusFile({ size: 64 * 2 ** 20, seed: 7, hitsPerGb: 20 }, "follow-evtx");
for (const copies of COPIES) {
  const dir = mkdtempSync(join(tmpdir(), "lds-follow-evtx-bench-"));
  try {
    const path = join(dir, "Microsoft-Windows-Sysmon%4Operational.evtx");
    copyFileSync(source.path, path);
    const chunks = readFileSync(source.path).subarray(FILE_HEADER_SIZE);
    for (let k = 1; k < copies; k++) appendFileSync(path, chunks);
    const bytes = statSync(path).size;
    const last = evtxChunkCount(bytes) - 1;
    const whole: number[] = [];
    const later: number[] = [];
    let scanned = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const file = new FollowedFile(path, FollowedFile.fresh(0, 0));
      whole.push((await timeLook(file, bytes)).ms);
      rewriteChunk(path, round % last, last);
      const look = await timeLook(file, bytes);
      later.push(look.ms);
      scanned = look.scanned;
    }
    const [w, l] = [median(whole), median(later)];
    console.log(
      `| ${(bytes / 2 ** 20).toFixed(0)} MiB, ${last + 1} chunks | ${w.toFixed(1)} ms | ${l.toFixed(1)} ms | ${(w / l).toFixed(0)}× | ${(scanned / 2 ** 10).toFixed(0)} KiB |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
