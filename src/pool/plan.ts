/**
 * Planning: already-walked inputs in, tasks out, with no I/O, so that any runner can use it
 * (the thread pool here, a cluster of machines elsewhere). Large files of a format the engine
 * can shard become shards of `shardSize` bytes; small files are batched until a batch holds
 * `shardSize` bytes or {@link BATCH_MAX_FILES} files; each archive is one task (decompression
 * is sequential), except a large zip on disk, whose members are shared by several tasks (a zip
 * can be read anywhere). Every record is counted by exactly one task, whatever the shard size.
 */

import type { LogFormat } from "../formats/log-format.js";
import type { ArchiveKind } from "../scan/archive-kind.js";
import type { Utf16Encoding } from "../scan/utf16-text.js";
import type { BatchTask, ScanTask } from "./task.js";

/** Small files are batched until a batch holds this many files. */
export const BATCH_MAX_FILES = 256;

/**
 * Most tasks one zip is shared by: each reads the whole central directory (a few ms for
 * thousands of members) and inflates its members, every `n`th in directory order.
 */
export const ZIP_STRIPES_MAX = 16;

/**
 * An input already walked and sniffed: a log file of a known format, or one that is streamed
 * whole through decoding, an archive or UTF-16 text (`explicit: false` when met in a folder).
 * A remote object (`path` an http(s) URL) carries its ETag, so that every task reads the same
 * version.
 *
 * @example
 * ```ts
 * const inputs: PlanInput[] = [
 *   { name: "big.jsonl", path: "/logs/big.jsonl", size: 70 << 20, format: "flat" },
 *   { name: "day1.tar.gz", path: "/logs/day1.tar.gz", size: 5 << 20, archive: "gzip" },
 * ];
 * ```
 */
export type PlanInput =
  | {
      name: string;
      path: string;
      size: number;
      format: LogFormat;
      archive?: undefined;
      encoding?: undefined;
      etag?: string | undefined;
    }
  | {
      name: string;
      path: string;
      size: number;
      archive: ArchiveKind;
      format?: undefined;
      encoding?: undefined;
      explicit?: boolean;
      etag?: string | undefined;
    }
  | {
      name: string;
      path: string;
      size: number;
      encoding: Utf16Encoding;
      format?: undefined;
      archive?: undefined;
      explicit?: boolean;
      etag?: string | undefined;
    };

/**
 * How to plan.
 *
 * @example
 * ```ts
 * const options: PlanOptions = { shardSize: 32 << 20, canShard: (format) => format !== "xml" };
 * ```
 */
export interface PlanOptions {
  /** Bytes per shard of a large file, and per batch of small files (an integer of 2 or more). */
  shardSize: number;
  /** Whether files of a format may be cut into shards (the engine's canShard); by default all may. */
  canShard?: ((format: LogFormat) => boolean) | undefined;
  /** Archive members are read as this format instead of being detected (`--input-format`). */
  inputFormat?: LogFormat | undefined;
}

/**
 * Bytes a task covers (for progress): a shard's length, a batch's files, an archive's compressed size.
 *
 * @example
 * ```ts
 * const total = planTasks(inputs, { shardSize: 32 << 20 }).reduce((sum, t) => sum + taskBytes(t), 0);
 * ```
 */
export function taskBytes(task: ScanTask): number {
  switch (task.kind) {
    case "range":
      return task.end - task.start;
    case "batch":
      return task.files.reduce((sum, f) => sum + f.size, 0);
    case "archive":
      return task.stripe === undefined ? task.size : stripeShare(task.size, task.stripe);
    default:
      return 0;
  }
}

/** A stripe's share of `size` (the shares of all stripes add up to `size`). */
function stripeShare(size: number, stripe: { index: number; of: number }): number {
  return Math.floor((size * (stripe.index + 1)) / stripe.of) - Math.floor((size * stripe.index) / stripe.of);
}

/**
 * The streaming form of {@link planTasks}: {@link add} each input as it is walked and run the
 * tasks it returns at once, then {@link finish} for the last batch.
 *
 * @example
 * ```ts
 * const planner = new TaskPlanner({ shardSize: 32 << 20 });
 * for (const input of walked) for (const task of planner.add(input)) queue.push(task);
 * for (const task of planner.finish()) queue.push(task);
 * ```
 */
export class TaskPlanner {
  readonly #options: PlanOptions;
  #batch: BatchTask["files"] = [];
  #batchBytes = 0;

  constructor(options: PlanOptions) {
    this.#options = options;
  }

  /** The tasks ready after `input` (none while a batch fills). */
  add(input: PlanInput): ScanTask[] {
    const { name, path, size } = input;
    const etag = input.etag === undefined ? {} : { etag: input.etag };
    if (input.format === undefined) {
      // An archive, or UTF-16 text: streamed whole by one thread (decompressed or transcoded).
      const task: ScanTask = { kind: "archive", name, path, size, inputFormat: this.#options.inputFormat };
      if (input.explicit === false) task.explicit = false;
      // A large zip on disk is read by several tasks, each its stripe of the members (a zip
      // from a server stays one task: each stripe would fetch the directory again).
      const stripes = Math.min(ZIP_STRIPES_MAX, Math.ceil(size / this.#options.shardSize));
      if (input.archive !== "zip" || stripes < 2 || /^https?:\/\//i.test(path)) return [task];
      return Array.from({ length: stripes }, (_, index) => ({ ...task, stripe: { index, of: stripes } }));
    }
    const { format } = input;
    const shardSize = this.#options.shardSize;
    if (size > shardSize && (this.#options.canShard?.(format) ?? true)) {
      const shards: ScanTask[] = [];
      for (let start = 0; start < size; start += shardSize) {
        shards.push({
          kind: "range",
          name,
          path,
          format,
          start,
          end: Math.min(size, start + shardSize),
          fileSize: size,
          ...etag,
        });
      }
      return shards;
    }
    this.#batch.push({ name, path, format, size, ...etag });
    this.#batchBytes += size;
    return this.#batchBytes >= shardSize || this.#batch.length >= BATCH_MAX_FILES ? this.finish() : [];
  }

  /** The batch still filling, if any. */
  finish(): ScanTask[] {
    if (this.#batch.length === 0) return [];
    const task: ScanTask = { kind: "batch", files: this.#batch };
    this.#batch = [];
    this.#batchBytes = 0;
    return [task];
  }
}

/**
 * Plans already-walked inputs into scan tasks: shards of large files, batches of small files,
 * one task per archive, in input order. Pure (no I/O, no clock): the same inputs and options
 * give the same tasks, which any runner may execute in any order and on any machine that sees
 * the same paths; merging the tasks' aggregates gives the one-thread result.
 *
 * @example
 * planTasks([{ name: "big.jsonl", path: "/logs/big.jsonl", size: 70 << 20, format: "flat" }], { shardSize: 32 << 20 })
 * // -> three range tasks: [0, 32 MiB), [32, 64 MiB), [64, 70 MiB)
 */
export function planTasks(inputs: Iterable<PlanInput>, options: PlanOptions): ScanTask[] {
  const planner = new TaskPlanner(options);
  const tasks: ScanTask[] = [];
  for (const input of inputs) tasks.push(...planner.add(input));
  tasks.push(...planner.finish());
  return tasks;
}
