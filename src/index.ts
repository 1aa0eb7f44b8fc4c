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
import type { InputHit } from "./engine/hit.js";
import type { LogFormat } from "./formats/log-format.js";
import { type ScanProgress, scanParallel } from "./pool/parallel-scan.js";
import { checkScanOptions } from "./pool/scan-options.js";
import { type Row, toRows } from "./report/row.js";
import { applySuppression, type Suppression } from "./report/suppress.js";
import type { MalformedInput, ScanProblem, ScanResult, ScanWarning } from "./scan/scan.js";

export type { Engine, EngineName, MatchHandler, ScanStats } from "./engine/engine.js";
export { engineByName } from "./engine/engines.js";
// ---- Embedding: bytes and streams in, hits out (README "Embedding") ----
export type { Hit, InputHit } from "./engine/hit.js";
export { matchRecord } from "./engine/match-record.js";
export { referenceEngine } from "./engine/reference-engine.js";
export { type BytesScanResult, scanBytes } from "./engine/scan-bytes.js";
export { createScanner, type Scanner } from "./engine/scanner.js";
export type { ScannerOptions } from "./engine/scanner-options.js";
export { type ErrorCode, ScanError } from "./errors.js";
export { detectLogFormat, LOG_FORMATS, type LogFormat, type TextFormat } from "./formats/log-format.js";
export { DEFAULT_SHARD_SIZE, type ScanProgress, scanParallel } from "./pool/parallel-scan.js";
export { type PlanInput, type PlanOptions, planTasks, TaskPlanner, taskBytes } from "./pool/plan.js";
export { checkScanOptions, MAX_WORKERS_PER_CORE, MIN_SHARD_SIZE } from "./pool/scan-options.js";
export type { ScanTask } from "./pool/task.js";
export { type AggregateEntry, Aggregates } from "./report/aggregate.js";
export { compareRows, type Row, toRows } from "./report/row.js";
export { isSuppressed, loadSuppression, parseSuppression, type Suppression } from "./report/suppress.js";
export { type EventFields, type MatchedEvent, matchEvent, RULE } from "./rule/rule.js";
export { ctime, normalizeTime } from "./rule/time.js";
export { type MalformedInput, type ScanProblem, type ScanResult, type ScanWarning, scanInputs } from "./scan/scan.js";
export { type Alert, alertId } from "./sinks/alert-id.js";
export { checkFileSinkPath, createFileSink } from "./sinks/file-sink.js";
export { type HecOptions, hecSink } from "./sinks/hec-sink.js";
export { type OutboxOptions, OutboxSink, type OutboxSummary } from "./sinks/outbox-sink.js";
export { formatRows, ROW_FORMATS, type RowFormat } from "./sinks/row-format.js";
export type { RowSink, SinkSummary } from "./sinks/row-sink.js";
export { defaultSpoolDir } from "./sinks/spool.js";
export { createStdoutSink } from "./sinks/stdout-sink.js";
export { type WebhookOptions, webhookSignature, webhookSink } from "./sinks/webhook-sink.js";
export { createPrefilterStream, type PrefilterStream } from "./streams/prefilter-stream.js";
export { createScanStream, type ScanStream } from "./streams/scan-stream.js";

/**
 * Options of {@link scan}.
 *
 * @example
 * ```ts
 * const options: ScanOptions = { workers: 4, carve: true, onProblem: (p) => console.error(p.input, p.message) };
 * ```
 */
export interface ScanOptions {
  /** Matching engine (default: the fast one). */
  engine?: EngineName;
  /** Read every input as this format instead of detecting it. */
  inputFormat?: LogFormat;
  /**
   * Threads in all (default: number of cores); at most 4 per core and no more than there are
   * tasks (lowered with a note to `onNote`). A whole number of at least 1.
   */
  workers?: number;
  /** Bytes per task when a large file is split (default 32 MiB; at least 4096). */
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
  /** Called at once for each input read in full that is not quite well-formed (a zip with trailing bytes). */
  onWarning?: (warning: ScanWarning) => void;
  /** Files not to scan when met inside a scanned folder (the caller's own output file). */
  exclude?: readonly string[];
  /** Called with one line when an option was lowered (a worker count capped). */
  onNote?: (line: string) => void;
  /**
   * Called for every matched event, with its input (path, `-`), archive member and record
   * location (byte offset and length; EVTX also the EventRecordID). Hits of one task (a file,
   * a shard, an archive) come in input order, tasks in the order they finish. The reference
   * engine does not locate text records: its text hits say offset 0, length 0.
   */
  onHit?: (hit: InputHit) => void;
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
  /** The raw scan result: aggregates, counters, skipped inputs. */
  result: ScanResult;
}

/**
 * Scans files, directories, archives and `-` (stdin) on a pool of worker threads and returns
 * the rule's rows. Never throws for a bad input (see `problems`); rejects with ScanError
 * LDS_E_USAGE for a bad option (`workers` 0, `shardSize` 1, an unknown `inputFormat` or
 * `engine`) before reading anything.
 *
 * @example
 * ```ts
 * const { rows, problems } = await scan(["triage/", "logs.tar.gz"], {
 *   onHit: (hit) => console.log(hit.time, hit.input, hit.member ?? "", hit.dest),
 * });
 * ```
 */
export async function scan(inputs: readonly string[], options: ScanOptions = {}): Promise<ScanOutcome> {
  checkScanOptions(options);
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
    result,
  };
}
