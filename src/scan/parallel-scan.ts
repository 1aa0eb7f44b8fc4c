/**
 * The searcher on every core: plans the inputs into tasks (shards of large files, batches of
 * small files, one task per archive), runs them on this thread and a piscina pool of
 * long-lived threads (`workers` threads in all, see pool/dispatcher.ts), and merges their
 * aggregates. Results are identical to the one-thread searcher whatever the
 * worker count, shard size, input order or scheduling, because every record is counted by
 * exactly one task and aggregates merge associatively.
 *
 * Standard input is read on this thread (it cannot be handed to a worker).
 */

import { availableParallelism } from "node:os";
import type { EngineName } from "../engine/engine.js";
import { engineByName } from "../engine/engines.js";
import { detectLogFormat, type LogFormat } from "../formats/log-format.js";
import { Dispatcher, type PoolStart } from "../pool/dispatcher.js";
import { type ScanTask, type TaskResult, taskInputName, type WorkerSetup } from "../pool/task.js";
import { compiledMatcher } from "../wasm/matcher-module.js";
import { archiveKindOf } from "./archive-kind.js";
import { expandInputs } from "./inputs.js";
import { newScanResult, type ScanProblem, type ScanResult } from "./scan.js";
import { recordStats, scanItem } from "./scan-item.js";

/**
 * Default shard size: 32 MiB. In the pool benchmark (bench/RESULTS.md, 2 GiB XML, 2 threads)
 * 4 MiB shards were the slowest and 8-128 MiB within noise; per-task costs (a round trip of
 * ~30-50 µs, the sync-point search at both edges) fade above ~8 MiB, and shards much larger
 * than 32 MiB would leave threads idle at the end of a file on many cores.
 */
export const DEFAULT_SHARD_SIZE = 32 * 1024 * 1024;
/** Small files are batched until a batch holds this many files. */
const BATCH_MAX_FILES = 256;

/**
 * Rough one-thread speeds, bytes a second, for the pool's start decision only (the dispatcher
 * corrects them by what the coordinator measures): the wasm engine on text and on EVTX
 * (bench/RESULTS.md), archives by compressed bytes (inflating ~0.5 GB/s of ~10x logs), and
 * the reference engine, which parses every record.
 */
const PLANNED_SPEED = {
  wasm: { text: 3e9, evtx: 1.5e9, archive: 5e7 },
  reference: { text: 1e7, evtx: 5e7, archive: 5e6 },
} as const;
/** Seconds each file costs besides its bytes (open, stat, first read, hand-off). */
const PLANNED_SECONDS_PER_FILE = 3e-4;

/** A task's estimated seconds on one thread. */
function plannedSeconds(engine: EngineName, kind: "text" | "evtx" | "archive", bytes: number, files: number): number {
  return bytes / PLANNED_SPEED[engine][kind] + files * PLANNED_SECONDS_PER_FILE;
}

/** Progress, reported after each task. */
export interface ScanProgress {
  /** Bytes of the inputs (compressed size for archives) finished so far. */
  bytesDone: number;
  /** Bytes of all inputs planned so far (grows while directories are walked). */
  bytesTotal: number;
  inputsDone: number;
  /** Matched events so far. */
  matches: number;
  /** True once every input has been walked (bytesTotal is final). */
  planned: boolean;
}

/** Options of {@link scanParallel}. */
export interface ParallelScanOptions {
  engine: EngineName;
  /** Threads in all, this one included (default: number of cores). */
  workers?: number | undefined;
  /** Bytes per shard of a large file (default {@link DEFAULT_SHARD_SIZE}). */
  shardSize?: number | undefined;
  /** Read every input as this format instead of detecting it. */
  inputFormat?: LogFormat | undefined;
  /** EVTX: also recover records from slack space. */
  carve?: boolean | undefined;
  /** What `-` reads (default process.stdin). */
  stdin?: NodeJS.ReadableStream | undefined;
  /** Called at once for each problem. */
  onProblem?: ((problem: ScanProblem) => void) | undefined;
  /** Called after each finished task, and once when planning is over. */
  onProgress?: ((progress: ScanProgress) => void) | undefined;
  /** Aborts the scan (Ctrl-C): pending tasks are dropped and the pool is closed. */
  signal?: AbortSignal | undefined;
  /** When pool threads start (default: when the planned work pays for them; see pool/dispatcher.ts). */
  poolStart?: PoolStart | undefined;
}

/**
 * Scans every input on `workers` threads (this one and a pool). Never throws for a bad input: see
 * {@link ScanResult.problems}.
 */
export async function scanParallel(inputs: readonly string[], options: ParallelScanOptions): Promise<ScanResult> {
  const workers = options.workers ?? availableParallelism();
  const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
  const result = newScanResult(options.onProblem);
  const setup: WorkerSetup = {
    engine: options.engine,
    wasmModule: options.engine === "wasm" ? await compiledMatcher() : undefined,
    carve: options.carve === true,
  };
  const engine = await engineByName(options.engine, { wasmModule: setup.wasmModule, carve: options.carve });
  const progress: ScanProgress = { bytesDone: 0, bytesTotal: 0, inputsDone: 0, matches: 0, planned: false };
  const taskBytes = new Map<ScanTask, number>();
  const dispatcher = new Dispatcher({
    threads: workers - 1,
    poolStart: options.poolStart,
    setup,
    engine,
    onResult(task, r: TaskResult) {
      result.aggregates.merge(r.entries);
      result.inputsScanned += r.inputsScanned;
      result.skipped.push(...r.skipped);
      for (const p of r.problems) result.problem(p);
      recordStats("", { ...r.stats, problems: [] }, result);
      progress.bytesDone += taskBytes.get(task) ?? 0;
      taskBytes.delete(task);
      progress.inputsDone += r.inputsScanned;
      progress.matches = result.stats.matches;
      options.onProgress?.({ ...progress });
    },
    onFailure(task, err) {
      result.problem({
        input: taskInputName(task),
        code: "LDS_E_INPUT_UNREADABLE",
        message: `worker failed: ${String(err)}`,
      });
    },
  });
  const submit = (task: ScanTask, bytes: number, seconds: number) => {
    progress.bytesTotal += bytes;
    taskBytes.set(task, bytes);
    dispatcher.submit(task, seconds);
  };
  const seconds = (format: LogFormat | "archive", bytes: number, files: number) =>
    plannedSeconds(options.engine, format === "archive" ? format : format === "evtx" ? "evtx" : "text", bytes, files);

  // Ctrl-C: drop queued tasks and stop the threads; results still in flight are ignored.
  const stop = () => void dispatcher.stop();
  options.signal?.addEventListener("abort", stop, { once: true });

  let batch: { name: string; path: string; format: LogFormat; size: number }[] = [];
  let batchBytes = 0;
  let batchSeconds = 0;
  const flushBatch = () => {
    if (batch.length > 0) submit({ kind: "batch", files: batch }, batchBytes, batchSeconds);
    batch = [];
    batchBytes = 0;
    batchSeconds = 0;
  };

  try {
    for await (const item of expandInputs([...inputs], { stdin: options.stdin, expandArchives: false })) {
      if (options.signal?.aborted) break;
      if (item.kind !== "file") {
        // stdin (and anything else streamed) is read here; problems and skips are recorded.
        await scanItem(item, engine, options.inputFormat, result);
        continue;
      }
      if (archiveKindOf(item.head) !== undefined) {
        submit(
          { kind: "archive", name: item.name, path: item.path, inputFormat: options.inputFormat },
          item.size,
          seconds("archive", item.size, 1),
        );
        continue;
      }
      const format = options.inputFormat ?? detectLogFormat(item.head);
      if (format === undefined) {
        await scanItem(item, engine, undefined, result); // records the problem or the skip
        continue;
      }
      if (item.size > shardSize && engine.scanFileRange !== undefined && engine.canShard(format)) {
        for (let start = 0; start < item.size; start += shardSize) {
          const end = Math.min(item.size, start + shardSize);
          submit(
            { kind: "range", name: item.name, path: item.path, format, start, end, fileSize: item.size },
            end - start,
            seconds(format, end - start, 0),
          );
        }
        result.inputsScanned++;
        continue;
      }
      batch.push({ name: item.name, path: item.path, format, size: item.size });
      batchBytes += item.size;
      batchSeconds += seconds(format, item.size, 1);
      if (batchBytes >= shardSize || batch.length >= BATCH_MAX_FILES) flushBatch();
    }
    flushBatch();
    progress.planned = true;
    options.onProgress?.({ ...progress });
    await dispatcher.drain();
  } finally {
    options.signal?.removeEventListener("abort", stop);
    await dispatcher.close();
  }
  return result;
}
