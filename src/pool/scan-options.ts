/**
 * The library's options, checked before anything is read: the CLI and library callers get the
 * same ScanError LDS_E_USAGE for the same mistake (`workers: 0`, `shardSize: 1`, an unknown
 * format or engine), instead of a RangeError deep inside, or silently nothing.
 */

import type { EngineName } from "../engine/engine.js";
import { ENGINE_NAMES } from "../engine/engines.js";
import { ScanError } from "../errors.js";
import { LOG_FORMATS, type LogFormat } from "../formats/log-format.js";

/**
 * The smallest shard: smaller ones only add per-task cost (and 1-byte shards never end).
 *
 * @example
 * ```ts
 * const shardSize = Math.max(MIN_SHARD_SIZE, requested);
 * ```
 */
export const MIN_SHARD_SIZE = 4096;
/**
 * Worker threads per core at most: more only add start-up time and memory.
 *
 * @example
 * ```ts
 * const most = MAX_WORKERS_PER_CORE * availableParallelism();
 * ```
 */
export const MAX_WORKERS_PER_CORE = 4;

/** The options {@link checkScanOptions} looks at. */
export interface CheckedOptions {
  workers?: unknown;
  shardSize?: unknown;
  inputFormat?: unknown;
  engine?: unknown;
}

function usage(message: string): ScanError {
  return new ScanError("LDS_E_USAGE", message);
}

function shown(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

/**
 * Throws ScanError LDS_E_USAGE for an option out of range: `workers` not a whole number of at
 * least 1, `shardSize` not a whole number of at least {@link MIN_SHARD_SIZE}, an unknown
 * `inputFormat` or `engine`. Undefined options are fine (defaults apply).
 *
 * @example
 * ```ts
 * checkScanOptions({ workers: 0 }); // throws ScanError LDS_E_USAGE: workers wants a whole number of at least 1, got 0
 * ```
 */
export function checkScanOptions(options: CheckedOptions): void {
  const { workers, shardSize, inputFormat, engine } = options;
  if (workers !== undefined && !(Number.isInteger(workers) && (workers as number) >= 1)) {
    throw usage(`workers wants a whole number of at least 1, got ${shown(workers)}`);
  }
  if (shardSize !== undefined && !(Number.isSafeInteger(shardSize) && (shardSize as number) >= MIN_SHARD_SIZE)) {
    throw usage(`shardSize wants a whole number of bytes of at least ${MIN_SHARD_SIZE}, got ${shown(shardSize)}`);
  }
  if (inputFormat !== undefined && !LOG_FORMATS.includes(inputFormat as LogFormat)) {
    throw usage(`unknown inputFormat ${shown(inputFormat)} (use ${LOG_FORMATS.join(", ")})`);
  }
  if (engine !== undefined && !ENGINE_NAMES.includes(engine as EngineName)) {
    throw usage(`unknown engine ${shown(engine)} (use ${ENGINE_NAMES.join(" or ")})`);
  }
}

/**
 * Threads to run: `requested` capped at {@link MAX_WORKERS_PER_CORE} per core and at the
 * number of tasks there are (once planning knows it), with one line saying why when lowered.
 */
export function capWorkers(
  requested: number,
  cores: number,
  tasks: number = Number.POSITIVE_INFINITY,
): { workers: number; note?: string } {
  const perCore = MAX_WORKERS_PER_CORE * Math.max(1, cores);
  const workers = Math.max(1, Math.min(requested, perCore, tasks));
  if (workers === requested) return { workers };
  const why =
    workers === perCore && perCore <= tasks
      ? `at most ${MAX_WORKERS_PER_CORE} per core on ${cores} core${cores === 1 ? "" : "s"}`
      : `${tasks} task${tasks === 1 ? "" : "s"} to run`;
  return { workers, note: `workers lowered from ${requested} to ${workers} (${why})` };
}
