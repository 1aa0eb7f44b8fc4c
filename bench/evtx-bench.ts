/**
 * EVTX benchmark, end to end from the page cache: a folder of a few hundred real-sized Sysmon
 * EVTX files (bench/evtx-bench-data.ts; kept in bench/.data/evtx, gitignored) scanned by
 *   - the fast mode (wasm prefilter, candidates decoded) on 1 and on 2 threads,
 *   - the reference mode (every record decoded in full) on 1 thread, on a slice of the files,
 *   - libevtx's `evtxexport -f xml` (full parse), 2 processes at a time, on the same files,
 * each first checked for the expected match count, then timed (median of the runs). Ratios are
 * taken within one run of this script; the machine is noisy.
 *
 *   npx tsc -p bench/evtx-tsconfig.json && node bench/.data/js/bench/evtx-bench.js [files] [runs]
 */

import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { evtxPrefiltersOf, scanEvtxFile } from "../src/engine/evtx-searcher.js";
import { type BenchManifest, buildBenchFolder } from "./evtx-bench-data.js";
import type { WorkerJob, WorkerResult } from "./evtx-bench-worker.js";

const ROOT = join(import.meta.dirname, "..", "..", "..", "..");
const DATA = join(ROOT, "bench", ".data", "evtx");
const fileCount = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function loadOrBuild(): BenchManifest {
  const manifestPath = join(DATA, "manifest.json");
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as BenchManifest;
    if (manifest.files.length === fileCount) return manifest;
  }
  const start = process.hrtime.bigint();
  const manifest = buildBenchFolder(DATA, fileCount);
  console.error(`built ${fileCount} files, ${(manifest.bytes / 1e9).toFixed(2)} GB in ${seconds(start).toFixed(1)} s`);
  return manifest;
}

/** Reads every file once so that the timed runs read from the page cache. */
function warm(paths: string[]): void {
  const buffer = new Uint8Array(16 << 20);
  for (const path of paths) {
    const fd = openSync(path, "r");
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
    closeSync(fd);
  }
}

/** Splits files into `n` lists of about equal bytes. */
function balance(paths: string[], n: number): string[][] {
  const lists: string[][] = Array.from({ length: n }, () => []);
  const sizes = new Array<number>(n).fill(0);
  for (const path of [...paths].sort((a, b) => statSync(b).size - statSync(a).size)) {
    const i = sizes.indexOf(Math.min(...sizes));
    (lists[i] as string[]).push(path);
    sizes[i] = (sizes[i] as number) + statSync(path).size;
  }
  return lists;
}

async function scanAll(paths: string[], mode: "fast" | "reference", wasmModule: WebAssembly.Module) {
  let matches = 0;
  let bytes = 0;
  for (const path of paths) {
    const stats = await scanEvtxFile(
      path,
      () => {},
      mode === "fast" ? { prefilters: evtxPrefiltersOf(wasmModule) } : {},
    );
    matches += stats.matches;
    bytes += stats.bytes;
  }
  return { matches, bytes };
}

function runWorkers(workers: Worker[], lists: string[][]): Promise<WorkerResult[]> {
  return Promise.all(
    workers.map(
      (worker, i) =>
        new Promise<WorkerResult>((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
          const job: WorkerJob = { files: lists[i] as string[] };
          worker.postMessage(job);
        }),
    ),
  );
}

function evtxexportAll(lists: string[][]): Promise<void> {
  return Promise.all(
    lists.map(
      (files) =>
        new Promise<void>((resolve, reject) => {
          const next = (i: number): void => {
            if (i === files.length) {
              resolve();
              return;
            }
            const child = spawn("evtxexport", ["-f", "xml", files[i] as string], {
              stdio: ["ignore", "ignore", "ignore"],
            });
            child.on("error", reject);
            child.on("exit", () => next(i + 1));
          };
          next(0);
        }),
    ),
  ).then(() => undefined);
}

async function main(): Promise<void> {
  const manifest = loadOrBuild();
  const paths = manifest.files.map((f) => join(DATA, f));
  const gb = manifest.bytes / 1e9;
  warm(paths);
  const wasmModule = new WebAssembly.Module(readFileSync(join(ROOT, "build", "matcher.wasm")));
  const rows: [string, number, string][] = [];
  const rate = (bytes: number, times: number[]): number => bytes / 1e9 / median(times);

  // Fast mode, one thread.
  const fast1: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    const { matches } = await scanAll(paths, "fast", wasmModule);
    fast1.push(seconds(start));
    if (matches !== manifest.matches) throw new Error(`fast: ${matches} matches, expected ${manifest.matches}`);
  }
  rows.push(["fast (wasm prefilter), 1 thread", rate(manifest.bytes, fast1), `${manifest.matches} matches`]);

  // Fast mode, two worker threads (started and warmed before timing).
  const workers = [0, 1].map(
    () => new Worker(new URL("./evtx-bench-worker.js", import.meta.url), { workerData: { wasmModule } }),
  );
  const lists = balance(paths, 2);
  await runWorkers(workers, [lists[0]?.slice(0, 1) ?? [], lists[1]?.slice(0, 1) ?? []]);
  const fast2: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    const results = await runWorkers(workers, lists);
    fast2.push(seconds(start));
    const matches = results.reduce((n, x) => n + x.matches, 0);
    if (matches !== manifest.matches) throw new Error(`fast x2: ${matches} matches, expected ${manifest.matches}`);
  }
  await Promise.all(workers.map((w) => w.terminate()));
  rows.push(["fast (wasm prefilter), 2 threads", rate(manifest.bytes, fast2), `${manifest.matches} matches`]);

  // Reference mode, one thread, on a slice (it decodes every record).
  const slice = paths.slice(0, Math.max(1, Math.floor(paths.length / 16)));
  const sliceBytes = slice.reduce((n, p) => n + statSync(p).size, 0);
  const fastOnSlice = await scanAll(slice, "fast", wasmModule);
  const reference: number[] = [];
  for (let r = 0; r < Math.min(runs, 3); r++) {
    const start = process.hrtime.bigint();
    const { matches } = await scanAll(slice, "reference", wasmModule);
    reference.push(seconds(start));
    if (matches !== fastOnSlice.matches) throw new Error(`reference: ${matches} matches, fast ${fastOnSlice.matches}`);
  }
  rows.push([
    `reference (full decode), 1 thread, ${slice.length} files`,
    rate(sliceBytes, reference),
    `${fastOnSlice.matches} matches`,
  ]);

  // evtxexport, two processes at a time, all files.
  const exported: number[] = [];
  const exportRuns = Number(process.env.EVTXEXPORT_RUNS ?? 1);
  for (let r = 0; r < exportRuns; r++) {
    const start = process.hrtime.bigint();
    await evtxexportAll(lists);
    exported.push(seconds(start));
  }
  rows.push(["evtxexport -f xml (libevtx), 2 processes", rate(manifest.bytes, exported), "full parse"]);

  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `EVTX scan, ${manifest.files.length} files, ${gb.toFixed(2)} GB, page cache; ${cpu}, ${cpus().length} cores, ` +
      `Node ${process.version}; median of ${runs} runs (reference: ${reference.length}, evtxexport: ${exported.length})\n`,
  );
  console.log("| what | MB/s | note |\n|---|---|---|");
  for (const [what, gbs, note] of rows) console.log(`| ${what} | ${(gbs * 1000).toFixed(0)} | ${note} |`);
  const exportRate = rows.at(-1)?.[1] as number;
  console.log(`\nfast, 2 threads / evtxexport, 2 processes: ${((rows[1]?.[1] as number) / exportRate).toFixed(0)}x`);
}

await main();
