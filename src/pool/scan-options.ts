/**
 * The library's options, checked before anything is read: the CLI and library callers get the
 * same ScanError LDS_E_USAGE for the same mistake (`workers: 0`, `shardSize: 1`, an unknown
 * format or engine), instead of a RangeError deep inside, or silently nothing.
 */

import type { EngineName } from "../engine/engine.js";
import { ENGINE_NAMES } from "../engine/engines.js";
import { ScanError } from "../errors.js";
import { LOG_FORMATS, type LogFormat } from "../formats/log-format.js";
import type { ScanOptions } from "./library-scan.js";

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

/** How checkScanCall checks an option: its type, or "checked" by checkScanOptions. */
type OptionCheck = "function" | "boolean" | "object" | "checked";

/** Every option of the library's scan(), for the unknown-option check (tsc fails when one is missing). */
const SCAN_OPTION_TYPES: Readonly<Record<string, OptionCheck>> = {
  engine: "checked",
  inputFormat: "checked",
  workers: "checked",
  shardSize: "checked",
  carve: "boolean",
  onProgress: "function",
  signal: "object",
  suppression: "object",
  stdin: "object",
  onProblem: "function",
  onWarning: "function",
  exclude: "object",
  onNote: "function",
  onHit: "function",
} satisfies Record<keyof ScanOptions, OptionCheck>;

/**
 * Checks a library scan() call as a whole, before anything is read: `inputs` an array of
 * path strings (a lone string would be read as one path per character, `/` among
 * them: the whole file system), `options` an object with no unknown key (a typo such as
 * `wrokers` would silently do nothing), each of the right type, then the values
 * ({@link checkScanOptions}). Throws ScanError LDS_E_USAGE naming the first wrong one.
 *
 * @example
 * ```ts
 * checkScanCall("Sysmon.evtx", {}); // throws: inputs must be an array of paths (got a string: pass ["Sysmon.evtx"])
 * ```
 */
export function checkScanCall(inputs: unknown, options: unknown): void {
  if (typeof inputs === "string") {
    throw usage(`inputs must be an array of paths (got a string: pass [${JSON.stringify(inputs)}])`);
  }
  if (!Array.isArray(inputs)) throw usage(`inputs must be an array of paths (got ${describeValue(inputs)})`);
  inputs.forEach((input, i) => {
    if (typeof input !== "string") {
      throw usage(`inputs[${i}] must be a path string (got ${describeValue(input)})`);
    }
  });
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw usage(`options must be an object (got ${describeValue(options)})`);
  }
  for (const [key, value] of Object.entries(options)) {
    const kind = SCAN_OPTION_TYPES[key];
    if (kind === undefined) throw usage(`unknown option "${key}"`);
    if (value === undefined || kind === "checked") continue;
    if (kind === "object" ? typeof value !== "object" || value === null : typeof value !== kind) {
      throw usage(`${key} must be ${kind === "object" ? "an object" : `a ${kind}`} (got ${describeValue(value)})`);
    }
  }
  const { signal, exclude, suppression, stdin } = options as Record<string, unknown>;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw usage("signal must be an AbortSignal");
  if (exclude !== undefined && !(Array.isArray(exclude) && exclude.every((e) => typeof e === "string"))) {
    throw usage("exclude must be an array of paths");
  }
  if (suppression !== undefined && !Array.isArray((suppression as { rules?: unknown }).rules)) {
    throw usage("suppression must come from parseSuppression() or loadSuppression()");
  }
  if (stdin !== undefined && typeof (stdin as { on?: unknown }).on !== "function") {
    throw usage("stdin must be a readable stream");
  }
  checkScanOptions(options);
}

/** A short description of a wrong value for a usage message. */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
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
