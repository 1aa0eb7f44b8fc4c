/**
 * lsass-dump-scan's public API: scan Sysmon logs for Task Manager dumping lsass.exe and get
 * the rule's rows, from code. The CLI is a thin layer over exactly these calls.
 *
 * @example
 * ```ts
 * import { scan } from "lsass-dump-scan";
 * const { rows, problems } = await scan(["triage/"]);
 * ```
 */

import type { EngineName } from "./engine/engine.js";
import { DEFAULT_ENGINE } from "./engine/engines.js";
import type { LogFormat } from "./formats/log-format.js";
import { type ScanProgress, scanParallel } from "./pool/parallel-scan.js";
import { type Row, toRows } from "./report/row.js";
import { applySuppression, type Suppression } from "./report/suppress.js";
import type { ScanProblem, ScanResult } from "./scan/scan.js";

export type { Engine, EngineName, MatchHandler, ScanStats } from "./engine/engine.js";
export { engineByName } from "./engine/engines.js";
export { referenceEngine } from "./engine/reference-engine.js";
export { type ErrorCode, ScanError } from "./errors.js";
export { detectLogFormat, LOG_FORMATS, type LogFormat, type TextFormat } from "./formats/log-format.js";
export { DEFAULT_SHARD_SIZE, type ScanProgress, scanParallel } from "./pool/parallel-scan.js";
export { type AggregateEntry, Aggregates } from "./report/aggregate.js";
export { compareRows, type Row, toRows } from "./report/row.js";
export { isSuppressed, loadSuppression, parseSuppression, type Suppression } from "./report/suppress.js";
export { type EventFields, type MatchedEvent, matchEvent, RULE } from "./rule/rule.js";
export { ctime, normalizeTime } from "./rule/time.js";
export { type ScanProblem, type ScanResult, scanInputs } from "./scan/scan.js";
export { formatRows, ROW_FORMATS, type RowFormat } from "./sinks/row-format.js";

/** Options of {@link scan}. */
export interface ScanOptions {
  /** Matching engine (default: the fast one). */
  engine?: EngineName;
  /** Read every input as this format instead of detecting it. */
  inputFormat?: LogFormat;
  /** Worker threads (default: number of cores). */
  workers?: number;
  /** Bytes per task when a large file is split (default 32 MiB). */
  shardSize?: number;
  /** EVTX: also recover records from slack space (reported as carved rows). */
  carve?: boolean;
  /** Called after each finished task. */
  onProgress?: (progress: ScanProgress) => void;
  /** Stops the scan early; rows found so far are returned. */
  signal?: AbortSignal;
  /** Rows to drop after aggregation (see parseSuppression / loadSuppression). */
  suppression?: Suppression;
  /** Standard input for the `-` input (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Called at once for each input that could not be read (the scan goes on). */
  onProblem?: (problem: ScanProblem) => void;
}

/** What {@link scan} returns. */
export interface ScanOutcome {
  /** The rule's rows, sorted, suppression applied. */
  rows: Row[];
  /** Rows dropped by the suppression list. */
  suppressed: number;
  /** Inputs that could not be read, or only in part. Non-empty means something was missed. */
  problems: ScanProblem[];
  /** The raw scan result: aggregates, counters, skipped inputs. */
  result: ScanResult;
}

/**
 * Scans files, directories, archives and `-` (stdin) on a pool of worker threads and returns
 * the rule's rows. Never throws for a bad input (see `problems`); throws ScanError for bad
 * options.
 */
export async function scan(inputs: readonly string[], options: ScanOptions = {}): Promise<ScanOutcome> {
  const result = await scanParallel(inputs, {
    engine: options.engine ?? DEFAULT_ENGINE,
    inputFormat: options.inputFormat,
    workers: options.workers,
    shardSize: options.shardSize,
    carve: options.carve,
    stdin: options.stdin,
    onProblem: options.onProblem,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const { kept, dropped } = applySuppression(toRows(result.aggregates.entries()), options.suppression);
  return { rows: kept, suppressed: dropped, problems: result.problems, result };
}
