/**
 * The messages between the page (app.ts) and its scan workers (scan-worker.ts): one task is a
 * file, or one shard of a big text file (bytes [start, end), records whose first byte lies in
 * it, as the CLI shards); the answer is the task's aggregates, hits, problems and skips.
 */

import type { AggregateEntry, InputHit, LogFormat } from "../src/web/index.js";

/** Page to worker. */
export type ToWorker = { type: "init"; module: WebAssembly.Module } | { type: "scan"; task: ScanTask };

/** One unit of work. */
export interface ScanTask {
  id: number;
  file: File;
  /** The input's name as the CLI prints it (path inside the dropped folder). */
  name: string;
  /** A shard: byte range and the format read from the file's head; absent for a whole file. */
  shard?: { start: number; end: number; format: LogFormat };
}

/** Worker to page. */
export type FromWorker =
  | { type: "ready" }
  | { type: "progress"; id: number; bytes: number }
  | { type: "result"; id: number; result: TaskResult };

/** What one task found. */
export interface TaskResult {
  entries: AggregateEntry[];
  hits: InputHit[];
  /** `name: message` lines, as the CLI prints problems. */
  problems: string[];
  skipped: { name: string; reason: string }[];
  /** Malformed records skipped, per input (`name` as in problems; a sharded file's shards each add theirs). */
  malformed: { name: string; count: number }[];
  /** Bytes of log data scanned (after decompression). */
  bytes: number;
}
