/**
 * A task's estimated time on one thread, for one decision only: whether the queued work pays
 * for starting pool threads (pool/dispatcher.ts, poolThreadsWorthStarting). Rough on purpose:
 * a thread's start (~0.05-0.3 s) is what it is weighed against, and a factor of two either
 * way moves the decision only near its edge.
 */

import type { EngineName } from "../engine/engine.js";
import type { LogFormat } from "../formats/log-format.js";
import { taskBytes } from "./plan.js";
import type { ScanTask } from "./task.js";

/**
 * One-thread speeds, bytes a second, measured on the 2-core VM (bench/RESULTS.md, bench:check's
 * threads part, one thread in process): the wasm engine on text (6.8-8.5 GB/s from the page
 * cache, rounded down) and on EVTX (2.1 GB/s before and 2.9-3.6 GB/s after issue 12's native
 * CRC32 and `.dmp` anchor, on the real-sized folder; per-file costs apart), archives by
 * compressed bytes (inflating ~0.5 GB/s of logs that compress ~10x), and the reference engine,
 * which parses every record (~10 MB/s of XML).
 */
const SPEED: Record<EngineName, { text: number; evtx: number; archive: number }> = {
  wasm: { text: 6e9, evtx: 3.5e9, archive: 5e7 },
  reference: { text: 1e7, evtx: 5e7, archive: 5e6 },
};

/**
 * Seconds each file costs besides its bytes (open, stat, first read, result hand-off): 204 µs
 * on the 400-file EVTX folder against its chunks in one file (bench/RESULTS.md, speed suite).
 */
const SECONDS_PER_FILE = 2e-4;

function bytesSeconds(engine: EngineName, format: LogFormat, bytes: number): number {
  return bytes / SPEED[engine][format === "evtx" ? "evtx" : "text"];
}

/** Estimated seconds `task` takes on one thread of `engine`. */
export function taskSeconds(engine: EngineName, task: ScanTask): number {
  switch (task.kind) {
    case "range":
      return bytesSeconds(engine, task.format, task.end - task.start);
    case "batch":
      return task.files.reduce((sum, f) => sum + bytesSeconds(engine, f.format, f.size) + SECONDS_PER_FILE, 0);
    case "archive":
      return taskBytes(task) / SPEED[engine].archive + SECONDS_PER_FILE;
    default:
      return 0;
  }
}
