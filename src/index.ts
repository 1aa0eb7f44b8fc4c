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
export { type ScanOptions, type ScanOutcome, scan } from "./pool/library-scan.js";
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
