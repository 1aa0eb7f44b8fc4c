/**
 * Worker of the EVTX benchmark: scans the files it is sent in fast mode with the wasm module
 * it was given at start (compiled once by the main thread) and posts back what it found.
 */

import { parentPort, workerData } from "node:worker_threads";
import { evtxPrefiltersOf, scanEvtxFile } from "../src/engine/evtx-searcher.js";

/** A job: files to scan. */
export interface WorkerJob {
  files: string[];
}

/** What a job found. */
export interface WorkerResult {
  matches: number;
  bytes: number;
  problems: number;
}

const wasmModule = (workerData as { wasmModule: WebAssembly.Module }).wasmModule;

parentPort?.on("message", async (job: WorkerJob) => {
  const result: WorkerResult = { matches: 0, bytes: 0, problems: 0 };
  for (const file of job.files) {
    const stats = await scanEvtxFile(file, () => {}, { prefilters: evtxPrefiltersOf(wasmModule) });
    result.matches += stats.matches;
    result.bytes += stats.bytes;
    result.problems += stats.problems.length;
  }
  parentPort?.postMessage(result);
});
