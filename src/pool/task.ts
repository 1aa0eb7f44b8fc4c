/**
 * Messages between the coordinator and the worker threads. Tasks carry only names and byte
 * ranges (workers read their own bytes straight into their own wasm memory); results carry
 * only per-group aggregates and counters, never file bytes.
 */

import type { EngineName, ScanStats } from "../engine/engine.js";
import type { InputHit } from "../engine/hit.js";
import type { LogFormat } from "../formats/log-format.js";
import type { AggregateEntry } from "../report/aggregate.js";
import type { MalformedInput, ScanProblem, ScanWarning } from "../scan/scan.js";

/** What every worker needs, sent once in workerData. */
export interface WorkerSetup {
  engine: EngineName;
  /** The compiled matcher, compiled once by the coordinator (undefined for the reference engine). */
  wasmModule?: WebAssembly.Module | undefined;
  /** EVTX slack carving on. */
  carve: boolean;
  /** Send every matched event back with its input and record location (scan()'s onHit). */
  collectHits?: boolean | undefined;
}

/** Scan bytes [start, end) of one file: a shard of a large file. */
export interface RangeTask {
  kind: "range";
  name: string;
  path: string;
  format: LogFormat;
  start: number;
  end: number;
  /** The file's size when the shards were planned. */
  fileSize: number;
  /** A remote object's ETag when planned (`path` is then its URL): every shard reads that version. */
  etag?: string | undefined;
}

/** Scan several small files whole, in one round trip. */
export interface BatchTask {
  kind: "batch";
  files: { name: string; path: string; format: LogFormat; size: number; etag?: string | undefined }[];
}

/**
 * Stream one archive (gzip, zip, tar, nested) through decompression into the matcher; also a
 * UTF-16 text file, streamed through transcoding (see scan/utf16-text.ts).
 */
export interface ArchiveTask {
  kind: "archive";
  name: string;
  path: string;
  /** False when met in a folder (content that is no log is then skipped, not a problem); absent: named by the user. */
  explicit?: false | undefined;
  /** The archive's (compressed) size when it was planned. */
  size: number;
  /** Read members as this format instead of detecting each (`--input-format`). */
  inputFormat?: LogFormat | undefined;
  /** A large zip on disk shared by several tasks: the members this one reads (scan/zip-members.ts ZipStripe). */
  stripe?: { index: number; of: number } | undefined;
}

/** No work: answered once the thread's engine is built, so the coordinator knows it is ready. */
export interface WarmupTask {
  kind: "warmup";
}

/**
 * Any task: what planTasks (plan.ts) returns and a runner executes.
 *
 * @example
 * ```ts
 * const task: ScanTask = { kind: "range", name: "big.xml", path: "/l/big.xml", format: "xml", start: 0, end: 1 << 25, fileSize: 1 << 30 };
 * ```
 */
export type ScanTask = RangeTask | BatchTask | ArchiveTask | WarmupTask;

/** The input(s) a task is about, for a message when the task could not run at all. */
export function taskInputName(task: ScanTask): string {
  if (task.kind === "batch") return task.files.map((f) => f.name).join(", ");
  if (task.kind === "warmup") return "worker start-up";
  return task.name;
}

/** What a worker sends back for one task. */
export interface TaskResult {
  entries: AggregateEntry[];
  stats: ScanStats;
  /** Inputs scanned whole by this task (files of a batch, archive members); 0 for a range. */
  inputsScanned: number;
  problems: ScanProblem[];
  warnings: ScanWarning[];
  skipped: { name: string; reason: string }[];
  /** Malformed records skipped, per input (a shard reports its file's name). */
  malformed: MalformedInput[];
  /** Matched events with their inputs, when the setup asks for them. */
  hits?: InputHit[] | undefined;
}
