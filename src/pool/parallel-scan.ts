/**
 * The searcher on every core: walks the inputs, plans them into tasks as they come
 * (plan.ts: shards of large files, batches of small files, one task per archive), runs them on this thread and a piscina pool of
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
import type { InputHit } from "../engine/hit.js";
import type { LogFormat } from "../formats/log-format.js";
import { untilAborted } from "../scan/end-on-abort.js";
import { addMalformed } from "../scan/malformed.js";
import {
  newScanResult,
  noteNothingScanned,
  type ScanProblem,
  type ScanResult,
  type ScanWarning,
} from "../scan/scan.js";
import { recordStats, scanItem, splitArchiveMember } from "../scan/scan-item.js";
import { compiledMatcher } from "../wasm/module.js";
import { Dispatcher, type DispatcherOptions, type PoolStart } from "./dispatcher.js";
import { idleSampleForNewScan } from "./idle-cores.js";
import { TaskPlanner, taskBytes } from "./plan.js";
import { planInputs } from "./plan-inputs.js";
import { capWorkers, checkScanOptions } from "./scan-options.js";
import { type ScanTask, type TaskResult, taskInputName, type WorkerSetup } from "./task.js";
import { taskSeconds } from "./task-cost.js";

/**
 * Default shard size: 32 MiB. In the pool benchmark (bench/RESULTS.md, 2 GiB XML, 2 threads)
 * 4 MiB shards were the slowest and 8-128 MiB within noise; per-task costs (a round trip of
 * ~30-50 µs, the sync-point search at both edges) fade above ~8 MiB, and shards much larger
 * than 32 MiB would leave threads idle at the end of a file on many cores.
 *
 * @example
 * ```ts
 * await scan(["huge.xml"], { shardSize: 2 * DEFAULT_SHARD_SIZE });
 * ```
 */
export const DEFAULT_SHARD_SIZE = 32 * 1024 * 1024;

/**
 * Progress, reported after each task.
 *
 * @example
 * ```ts
 * await scan(["triage/"], { onProgress: (p: ScanProgress) => console.error(p.bytesDone, "of", p.bytesTotal) });
 * ```
 */
export interface ScanProgress {
  /** Bytes of the files planned into tasks (compressed size for archives) finished so far. */
  bytesDone: number;
  /** Bytes of all files planned so far (grows while directories are walked). */
  bytesTotal: number;
  /** True when some of {@link bytesTotal} are archives' compressed sizes (read bytes, not log bytes). */
  compressed: boolean;
  /** Bytes read so far from standard input and fifos (whose size is not known ahead). */
  streamBytes: number;
  inputsDone: number;
  /** Matched events so far. */
  matches: number;
  /** True once every input has been walked (bytesTotal is final). */
  planned: boolean;
}

/** Progress before anything was planned or scanned. */
export function newScanProgress(): ScanProgress {
  return { bytesDone: 0, bytesTotal: 0, compressed: false, streamBytes: 0, inputsDone: 0, matches: 0, planned: false };
}

/** Options of {@link scanParallel}. */
export interface ParallelScanOptions {
  engine: EngineName;
  /**
   * Threads in all, this one included (default: number of cores); at most 4 per core and no
   * more than there are tasks (lowered with a note).
   */
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
  /** Called at once for each warning (an input read in full that is not quite well-formed). */
  onWarning?: ((warning: ScanWarning) => void) | undefined;
  /** Called after each finished task, and once when planning is over. */
  onProgress?: ((progress: ScanProgress) => void) | undefined;
  /** Aborts the scan (Ctrl-C): pending tasks are dropped and the pool is closed. */
  signal?: AbortSignal | undefined;
  /** When pool threads start (default: when the planned work pays for them; see pool/dispatcher.ts). */
  poolStart?: PoolStart | undefined;
  /** Files not to scan when met inside a folder (the run's own output file). */
  exclude?: readonly string[] | undefined;
  /** Called with one line when an option was lowered (workers capped), not a problem. */
  onNote?: ((line: string) => void) | undefined;
  /**
   * Called for every matched event with its input (and archive member) and record location, as
   * each task finishes: in input order within a task, tasks in the order they finish.
   */
  onHit?: ((hit: InputHit) => void) | undefined;
}

/** True for standard input (`-`) and members of an archive read from it (`-:member`). */
function isStdin(name: string): boolean {
  return name === "-" || name.startsWith("-:");
}

/** Progress reports from a stream at most this often. */
const STREAM_PROGRESS_MS = 200;

/**
 * `chunks`, counting their bytes into `progress.streamBytes` and reporting now and then. An
 * early `return()` (a stream that is skipped) reaches the stream underneath. Once
 * `options.signal` aborts, the stream ends here at once (a read waiting on a stdin or a fifo
 * that never ends would hold the scan forever): the scan keeps what it found so far.
 */
function counted(
  chunks: AsyncIterable<Uint8Array>,
  progress: ScanProgress,
  options: ParallelScanOptions,
): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const inner = chunks[Symbol.asyncIterator]();
      let reported = 0;
      return {
        async next() {
          const step = await untilAborted(inner.next(), options.signal);
          if (step === undefined) {
            // The read left waiting is released when the stream underneath is destroyed (see
            // stopReadingStdin); its outcome no longer matters.
            inner.return?.().catch(() => {});
            return { done: true, value: undefined };
          }
          if (step.done !== true) {
            progress.streamBytes += step.value.length;
            const now = Date.now();
            if (options.onProgress !== undefined && now - reported >= STREAM_PROGRESS_MS) {
              reported = now;
              options.onProgress({ ...progress });
            }
          }
          return step;
        },
        async return(value?: unknown) {
          return (await inner.return?.(value)) ?? { done: true, value: undefined };
        },
      };
    },
  };
}

/**
 * Scans every input on `workers` threads (this one and a pool). Never throws for a bad input: see
 * {@link ScanResult.problems}; throws ScanError LDS_E_USAGE for a bad option, before reading
 * anything (see checkScanOptions).
 *
 * @example
 * ```ts
 * const result = await scanParallel(["triage/"], { engine: "wasm", workers: 4 });
 * console.log(toRows(result.aggregates.entries()));
 * ```
 */
export async function scanParallel(inputs: readonly string[], options: ParallelScanOptions): Promise<ScanResult> {
  checkScanOptions(options);
  const cores = availableParallelism();
  const requested = options.workers ?? cores;
  const workers = capWorkers(requested, cores).workers;
  // Sampled only where a pool may start (one os.cpus() call now, one when the pool is decided).
  const idleSince = workers > 1 ? idleSampleForNewScan() : undefined;
  const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
  const result = newScanResult(options.onProblem, options.onWarning);
  // Aborted before it began: nothing is read (not even the head of `-`, which may never come).
  if (options.signal?.aborted) return result;
  const setup: WorkerSetup = {
    engine: options.engine,
    wasmModule: options.engine === "wasm" ? await compiledMatcher() : undefined,
    carve: options.carve === true,
    collectHits: options.onHit !== undefined,
  };
  const onHit = options.onHit;
  if (onHit !== undefined) result.hits = [];
  const engine = await engineByName(options.engine, { wasmModule: setup.wasmModule, carve: options.carve });
  const progress = newScanProgress();
  // The caller's own callbacks (onHit, onProgress, onProblem, onWarning) may throw: that is the
  // caller's error, not the input's, so it ends the scan and is rethrown (as a throw from one
  // called on this thread's own path is), never reported as an unreadable input.
  let callerError: { error: unknown } | undefined;
  const onTask: Pick<DispatcherOptions, "onResult" | "onFailure"> = {
    onResult(task, r: TaskResult) {
      try {
        takeResult(task, r);
      } catch (error) {
        callerError ??= { error };
        void dispatcher?.stop();
      }
    },
    onFailure(task, err) {
      result.problem({
        input: taskInputName(task),
        code: "LDS_E_INPUT_UNREADABLE",
        message: `worker failed: ${String(err)}`,
      });
    },
  };
  const takeResult = (task: ScanTask, r: TaskResult): void => {
    result.aggregates.merge(r.entries);
    result.inputsScanned += r.inputsScanned;
    result.skipped.push(...r.skipped);
    for (const m of r.malformed) addMalformed(result.malformed, m.input, m.count, m.offsets);
    for (const p of r.problems) result.problem(p);
    for (const w of r.warnings) result.warning(w);
    // Malformed records were counted per input above; only the total goes here.
    recordStats("", { ...r.stats, problems: [], malformedRecords: 0, malformedOffsets: [] }, result);
    result.stats.malformedRecords += r.stats.malformedRecords;
    if (onHit !== undefined) for (const hit of r.hits ?? []) onHit(hit);
    progress.bytesDone += taskBytes(task);
    progress.inputsDone += r.inputsScanned;
    progress.matches = result.stats.matches;
    options.onProgress?.({ ...progress });
  };
  // The dispatcher (and its thread count) waits until there are `workers` tasks or planning
  // is over, so that no more threads start than there are tasks to run.
  let dispatcher: Dispatcher | undefined;
  const pending: ScanTask[] = [];
  const startDispatcher = (planned: boolean): Dispatcher | undefined => {
    if (dispatcher !== undefined || options.signal?.aborted) return dispatcher;
    if (!planned && pending.length < workers) return undefined;
    const capped = capWorkers(requested, cores, planned ? pending.length : Number.POSITIVE_INFINITY);
    // The default (one per core) is lowered silently; a number the caller chose, with a note.
    if (capped.note !== undefined && options.workers !== undefined) options.onNote?.(capped.note);
    dispatcher = new Dispatcher({
      threads: capped.workers - 1,
      poolStart: options.poolStart,
      idleSince,
      setup,
      engine,
      ...onTask,
    });
    for (const task of pending.splice(0)) dispatcher.submit(task, taskSeconds(options.engine, task));
    return dispatcher;
  };
  const submit = (tasks: readonly ScanTask[]) => {
    for (const task of tasks) {
      progress.bytesTotal += taskBytes(task);
      if (task.kind === "archive") progress.compressed = true;
      pending.push(task);
    }
    startDispatcher(false);
    if (dispatcher !== undefined) {
      for (const task of pending.splice(0)) dispatcher.submit(task, taskSeconds(options.engine, task));
    }
  };
  const planner = new TaskPlanner({
    shardSize,
    canShard: (format) => engine.scanFileRange !== undefined && engine.canShard(format),
    inputFormat: options.inputFormat,
  });

  // Ctrl-C: drop queued tasks and stop the threads; results still in flight are ignored.
  const stop = () => {
    void dispatcher?.stop();
    stopReadingStdin(inputs, options);
  };
  options.signal?.addEventListener("abort", stop, { once: true });

  try {
    for await (const step of planInputs(inputs, planner, options)) {
      if (callerError !== undefined) break;
      // Standard input ends at the abort (plan-inputs.ts); what it held is still scanned.
      if (options.signal?.aborted && !(step.kind === "local" && isStdin(step.item.name))) break;
      if (step.kind === "local") {
        // stdin (and anything else streamed) is read here; problems and skips are recorded.
        const { item } = step;
        const streamed = item.kind === "stream" ? { ...item, chunks: counted(item.chunks, progress, options) } : item;
        await scanItem(streamed, engine, step.format, result);
        if (item.kind === "stream") {
          progress.inputsDone++;
          options.onProgress?.({ ...progress });
        }
        if (onHit !== undefined) {
          for (const hit of result.hits ?? []) onHit(splitArchiveMember(hit, "-"));
          result.hits = [];
        }
        continue;
      }
      // A sharded file counts as scanned once here (its range tasks report 0 inputs).
      if (step.sharded) result.inputsScanned++;
      submit(step.tasks);
    }
    progress.planned = true;
    options.onProgress?.({ ...progress });
    if (callerError === undefined) await startDispatcher(true)?.drain();
    if (callerError !== undefined) throw callerError.error;
    if (!options.signal?.aborted) noteNothingScanned(inputs, result);
  } finally {
    options.signal?.removeEventListener("abort", stop);
    await dispatcher?.close();
  }
  return result;
}

/**
 * On abort: destroys the stream `-` reads, so that a read waiting on it (a pipe whose writer
 * stays open, a socket) ends and every layer above it lets go; the scan has already stopped
 * taking its bytes (see counted).
 */
function stopReadingStdin(inputs: readonly string[], options: ParallelScanOptions): void {
  if (!inputs.includes("-")) return;
  const stdin = (options.stdin ?? process.stdin) as NodeJS.ReadableStream & { destroy?: () => void };
  stdin.destroy?.();
}
