/**
 * The embedding API's speed claims (issue 11), measured side by side in one run, for both
 * `npm run bench` (suites/embed-suite.ts) and `npm run bench:check`:
 * - scanner: createScanner().push in 64 KiB chunks (what a pipeline holding bytes does) against
 *   the CLI's one-thread matcher on the same bytes in memory (the wasm engine's scanStream with
 *   one chunk); target ≥ 0.8×;
 * - prefilter stream: fs.createReadStream(file) → createPrefilterStream() → a null Writable
 *   against fs.createReadStream(file) → the null Writable; target ≥ 0.5×;
 * - live: createScanner({ live: true }).push in 64 KiB pieces (a flush after each) against the
 *   same without `live` (npm run bench only).
 * Every call checks its hit count first. Rounds are interleaved (measure.ts `interleave`).
 * Self-test (`slowStandIn`): the reference engine, fed the same 64 KiB pieces, stands in for
 * the embedding API, which is what a fall back to the slow path looks like; the ratios must fail.
 */

import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Engine } from "../src/engine/engine.js";
import type { TextFormat } from "../src/formats/log-format.js";
import { createPrefilterStream, createScanner } from "../src/index.js";
import { expectCount, interleave, median, medianRatio } from "./measure.js";

/** Piece size a pipeline typically pushes: a Node file stream's default highWaterMark. */
export const PUSH_BYTES = 64 * 1024;

/** One side-by-side comparison: the ratio (subject speed / baseline speed) and both medians. */
export interface EmbedComparison {
  ratio: number;
  subjectMs: number;
  baselineMs: number;
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Hits found by a scanner fed `bytes` in {@link PUSH_BYTES} pieces (`live`: a flush after each). */
export function scannerHits(bytes: Uint8Array, live = false): number {
  const scanner = createScanner({ live });
  let hits = 0;
  for (let at = 0; at < bytes.length; at += PUSH_BYTES)
    hits += scanner.push(bytes.subarray(at, at + PUSH_BYTES)).length;
  return hits + scanner.end().length;
}

async function* inPieces(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += PUSH_BYTES) yield bytes.subarray(at, at + PUSH_BYTES);
}

/** Hits the stand-in engine finds in `chunks`. */
async function standInHits(engine: Engine, chunks: AsyncIterable<Uint8Array>, format: TextFormat): Promise<number> {
  let n = 0;
  await engine.scanStream(chunks, format, () => {
    n++;
  });
  return n;
}

/** createScanner().push in 64 KiB pieces against the wasm engine (one thread, in memory). */
export async function scannerVersusMatcher(
  matcher: Engine,
  bytes: Uint8Array,
  format: TextFormat,
  hits: number,
  rounds: number,
  slowStandIn?: Engine,
): Promise<EmbedComparison> {
  const scanner = slowStandIn
    ? async () => expectCount(`stand-in, ${format}`, await standInHits(slowStandIn, inPieces(bytes), format), hits)
    : () => expectCount(`createScanner, ${format}`, scannerHits(bytes), hits);
  const times = await interleave(
    [
      {
        name: "matcher",
        fn: async () => {
          let n = 0;
          await matcher.scanStream(oneChunk(bytes), format, () => {
            n++;
          });
          expectCount(`matcher, ${format}`, n, hits);
        },
      },
      { name: "scanner", fn: scanner },
    ],
    rounds,
  );
  const [m, s] = [times.get("matcher") ?? [], times.get("scanner") ?? []];
  return { ratio: medianRatio(m, s), subjectMs: median(s), baselineMs: median(m) };
}

/** createScanner({ live: true }).push in 64 KiB pieces against the same without `live`: what a flush per push costs. */
export async function liveVersusBlocks(
  bytes: Uint8Array,
  format: TextFormat,
  hits: number,
  rounds: number,
): Promise<EmbedComparison> {
  const times = await interleave(
    [
      { name: "blocks", fn: () => expectCount(`createScanner, ${format}`, scannerHits(bytes), hits) },
      { name: "live", fn: () => expectCount(`createScanner live, ${format}`, scannerHits(bytes, true), hits) },
    ],
    rounds,
  );
  const [b, l] = [times.get("blocks") ?? [], times.get("live") ?? []];
  return { ratio: medianRatio(b, l), subjectMs: median(l), baselineMs: median(b) };
}

function nullWritable(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

/** The pre-filter stream on a file stream against the plain file stream, both into a null Writable. */
export async function prefilterVersusPipe(
  path: string,
  hits: number,
  rounds: number,
  slowStandIn?: Engine,
): Promise<EmbedComparison> {
  const prefilter = slowStandIn
    ? async () => expectCount("stand-in", await standInHits(slowStandIn, createReadStream(path), "xml"), hits)
    : async () => {
        const stream = createPrefilterStream();
        await pipeline(createReadStream(path), stream, nullWritable());
        expectCount("createPrefilterStream", stream.stats().matches, hits);
      };
  const times = await interleave(
    [
      { name: "pipe", fn: () => pipeline(createReadStream(path), nullWritable()) },
      { name: "prefilter", fn: prefilter },
    ],
    rounds,
  );
  const [p, f] = [times.get("pipe") ?? [], times.get("prefilter") ?? []];
  return { ratio: medianRatio(p, f), subjectMs: median(f), baselineMs: median(p) };
}
