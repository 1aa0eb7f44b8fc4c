/**
 * The library's scan() over paths: files, folders, archives, URLs and `-`, on every core, with
 * the options checked first and suppression applied to the rows. The CLI and library users call
 * this same function (the CLI imports it from here rather than through src/index.ts, so that a
 * command line run does not load every export of the public API at start-up).
 */

import type { EngineName } from "../engine/engine.js";
import { DEFAULT_ENGINE } from "../engine/engines.js";
import type { InputHit } from "../engine/hit.js";
import type { LogFormat } from "../formats/log-format.js";
import { type Row, toRows } from "../report/row.js";
import { applySuppression, type Suppression } from "../report/suppress.js";
import type { MalformedInput, ScanProblem, ScanResult, ScanWarning } from "../scan/scan.js";
import { type ScanProgress, scanParallel } from "./parallel-scan.js";
import { checkScanCall } from "./scan-options.js";

/**
 * Options of {@link scan}.
 *
 * @example
 * ```ts
 * const options: ScanOptions = { workers: 4, carve: true, onProblem: (p) => console.error(p.input, p.message) };
 * ```
 */
export interface ScanOptions {
  // Callbacks (on*) are the caller's code: one that throws ends the scan, and scan() rejects
  // with that error (never reported as a problem of an input).
  /** Matching engine (default: the fast one). */
  engine?: EngineName | undefined;
  /** Read every input as this format instead of detecting it. */
  inputFormat?: LogFormat | undefined;
  /**
   * Threads in all (default: number of cores); at most 4 per core and no more than there are
   * tasks (lowered with a note to `onNote`). A whole number of at least 1.
   */
  workers?: number | undefined;
  /** Bytes per task when a large file is split (default 32 MiB; at least 4096). */
  shardSize?: number | undefined;
  /** EVTX: also recover records from slack space (reported as carved rows). */
  carve?: boolean | undefined;
  /** Called after each finished task. */
  onProgress?: ((progress: ScanProgress) => void) | undefined;
  /**
   * Stops the scan early; rows found so far are returned. An abort also ends the reading of a
   * `-` stream that never ends (it is destroyed); a signal aborted before the call reads nothing.
   */
  signal?: AbortSignal | undefined;
  /** Rows to drop after aggregation (see parseSuppression / loadSuppression). */
  suppression?: Suppression | undefined;
  /** Standard input for the `-` input (default process.stdin). */
  stdin?: NodeJS.ReadableStream | undefined;
  /** Called at once for each input that could not be read (the scan goes on). */
  onProblem?: ((problem: ScanProblem) => void) | undefined;
  /** Called at once for each input read in full that is not quite well-formed (a zip with trailing bytes). */
  onWarning?: ((warning: ScanWarning) => void) | undefined;
  /** Files not to scan when met inside a scanned folder (the caller's own output file). */
  exclude?: readonly string[] | undefined;
  /** Called with one line when an option was lowered (a worker count capped). */
  onNote?: ((line: string) => void) | undefined;
  /**
   * Called for every matched event, with its input (path, `-`), archive member and record
   * location (byte offset and length; EVTX also the EventRecordID). Hits of one task (a file,
   * a shard, an archive) come in input order, tasks in the order they finish. The reference
   * engine does not locate text records: its text hits say offset 0, length 0.
   */
  onHit?: ((hit: InputHit) => void) | undefined;
}

/**
 * What {@link scan} returns.
 *
 * @example
 * ```ts
 * const outcome: ScanOutcome = await scan(["Sysmon.evtx"]);
 * if (outcome.problems.length > 0) process.exitCode = 2;
 * ```
 */
export interface ScanOutcome {
  /** The rule's rows, sorted, suppression applied. */
  rows: Row[];
  /** Rows dropped by the suppression list. */
  suppressed: number;
  /**
   * Inputs that could not be read, or only in part. Non-empty means something was missed; a scan
   * that read no log at all has one (`LDS_E_NOTHING_SCANNED`).
   */
  problems: ScanProblem[];
  /** Malformed records skipped, per input (count and the first byte offsets). Non-empty means something was missed. */
  malformed: MalformedInput[];
  /** Files met in folders and archives that are not a log format we read, with why. */
  skipped: { name: string; reason: string }[];
  /**
   * Inputs read in full that are not quite well-formed (a zip with bytes after its end record, a
   * gzip with trailing garbage), as `onWarning` heard them; they miss nothing.
   */
  warnings: ScanWarning[];
  /** The raw scan result: aggregates, counters, skipped inputs. */
  result: ScanResult;
}

/**
 * Scans files, directories, archives and `-` (stdin) on a pool of worker threads and returns
 * the rule's rows. Never throws for a bad input (see `problems`); rejects with ScanError
 * LDS_E_USAGE for a bad call (`inputs` not an array of paths, an unknown option, `workers` 0,
 * `shardSize` 1, an unknown `inputFormat` or `engine`, an option of the wrong type) before
 * reading anything.
 *
 * @example
 * ```ts
 * const { rows, problems } = await scan(["triage/", "logs.tar.gz"], {
 *   onHit: (hit) => console.log(hit.time, hit.input, hit.member ?? "", hit.dest),
 * });
 * ```
 */
export async function scan(inputs: readonly string[], options: ScanOptions = {}): Promise<ScanOutcome> {
  checkScanCall(inputs, options);
  options ??= {}; // null as undefined, as createScanner takes it
  const result = await scanParallel(inputs, {
    engine: options.engine ?? DEFAULT_ENGINE,
    inputFormat: options.inputFormat,
    workers: options.workers,
    shardSize: options.shardSize,
    carve: options.carve,
    stdin: options.stdin,
    onProblem: options.onProblem,
    onWarning: options.onWarning,
    onProgress: options.onProgress,
    onNote: options.onNote,
    exclude: options.exclude,
    signal: options.signal,
    onHit: options.onHit,
  });
  const { kept, dropped } = applySuppression(toRows(result.aggregates.entries()), options.suppression);
  return {
    rows: kept,
    suppressed: dropped,
    problems: result.problems,
    malformed: result.malformed,
    skipped: result.skipped,
    warnings: result.warnings,
    result,
  };
}
