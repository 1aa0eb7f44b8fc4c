/**
 * `lsass-dump-scan scan`: arguments -> validated options -> the library's {@link scan} -> a
 * sink (stdout or `--output`). Owns what the user sees on stderr and the exit status; nothing
 * else (planning, threads, suppression and rows are the library's).
 */

import { Command, Option } from "commander";
import type { ClusterScanOptions } from "../cluster/coordinator.js";
import type { EngineName } from "../engine/engine.js";
import { DEFAULT_ENGINE, ENGINE_NAMES } from "../engine/engines.js";
import type { InputHit } from "../engine/hit.js";
import { ScanError } from "../errors.js";
import { DEFAULT_THROTTLE_MS } from "../follow/alert-throttle.js";
import { LOG_FORMATS, type LogFormat } from "../formats/log-format.js";
import { type ScanOutcome, scan } from "../pool/library-scan.js";
import { DEFAULT_SHARD_SIZE } from "../pool/parallel-scan.js";
import { type Row, toRows } from "../report/row.js";
import { applySuppression, loadSuppression, type Suppression } from "../report/suppress.js";
import type { ScanProblem } from "../scan/scan.js";
import { checkFileSinkPath, checkOutputIsNotAnInput, createFileSink } from "../sinks/file-sink.js";
import { ROW_FORMATS, type RowFormat, terminalText } from "../sinks/row-format.js";
import type { RowSink } from "../sinks/row-sink.js";
import { createStdoutSink } from "../sinks/stdout-sink.js";
import { addDeliveryOptions, type DeliveryOptions, deliverRows, deliveryOptionsFrom } from "./delivery-options.js";
import { deliverEvents } from "./event-output.js";
import { EXIT_ALERTS, EXIT_CLEAN, EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_TROUBLE } from "./exit-status.js";
import { DEFAULT_POLL_MS, parseFollowDuration } from "./follow-options.js";
import { parseSize } from "./parse-size.js";
import { progressDisplay } from "./progress-bar.js";
import { malformedLines, malformedSummary, skippedLines, skippedSummary } from "./scan-report.js";

/** Options of the scan command after validation. */
export interface ScanCommandOptions {
  format: RowFormat;
  output?: string | undefined;
  suppress?: string | undefined;
  inputFormat?: LogFormat | undefined;
  engine: EngineName;
  /** Undefined: one per core. */
  workers: number | undefined;
  shardSize: number;
  progress: boolean;
  quiet: boolean;
  carve: boolean;
  /** Name every skipped file and malformed record on stderr. */
  verbose: boolean;
  /** Print one line per matched event (a timeline) instead of aggregated rows. */
  events: boolean;
  /** Where alerts are sent besides the output (HEC, webhook), when anywhere. */
  delivery?: DeliveryOptions | undefined;
  /** `--cluster redis://...`: run the tasks on cluster workers (src/cluster/). */
  cluster?: string | undefined;
  /** `--cluster-timeout`: seconds to wait while no worker is alive. */
  clusterTimeout?: number | undefined;
  /** `--follow` (src/follow/): keep watching; `--state`, `--throttle`, `--poll-interval` go with it. */
  follow?: { state?: string | undefined; throttleMs: number; pollMs: number } | undefined;
}

/** Input format names `--input-format` takes (`jsonl` is the flat JSON lines format). */
const INPUT_FORMAT_CHOICES = [...LOG_FORMATS, "jsonl"];

function usage(message: string): ScanError {
  return new ScanError("LDS_E_USAGE", message);
}

function parsePositiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw usage(`${flag} wants a whole number of at least 1, got "${value}"`);
    return n;
  };
}

function parseShardSize(value: string): number {
  const n = parseSize(value);
  if (n === undefined || n < 4096)
    throw usage(`--shard-size wants a size of at least 4k, like 4k, 64m or 1g, got "${value}"`);
  return n;
}

const EXAMPLES = `
Examples:
  lsass-dump-scan scan C:/Logs/Sysmon.evtx           scan one file (format detected from its content)
  lsass-dump-scan scan triage/ --format jsonl        a whole folder, rows as JSON lines
  lsass-dump-scan scan logs.tar.gz collected.zip     archives are streamed, never extracted
  zcat day1.json.gz | lsass-dump-scan scan -         standard input
  lsass-dump-scan scan big.xml --input-format xml    skip detection
  lsass-dump-scan scan https://host/logs/x.evtx      an object over HTTP(S), read by byte ranges
  lsass-dump-scan scan s3://bucket/2024/             every object under an S3 prefix (AWS credentials as usual)
  lsass-dump-scan scan logs/ --suppress known-fp.txt --format csv --output alerts.csv
  lsass-dump-scan scan --follow /var/log/sysmon/ --state state.json   follow like tail -F: one JSON line per new alert

Exit status: 0 no alerts, 1 alerts found, 2 bad usage, some input could not be read, a
malformed record was skipped, nothing was scanned at all, or (with --hec/--webhook) an alert
was not delivered (rows from the inputs that were read are printed all the same); 130 Ctrl-C,
143 SIGTERM (the rows found so far are printed).`;

/** Builds the `scan` command; `run` receives validated options and returns the exit status. */
export function scanCommand(): Command {
  const command = new Command("scan")
    .description("scan Sysmon logs (files, folders, archives, - for stdin) for Task Manager dumping lsass.exe")
    .argument(
      "<inputs...>",
      "files, directories, archives and compressed files (.gz .xz .bz2 .zst .zip .7z .tar, nested too), http(s):// URLs, s3://bucket/prefix, or - for standard input",
    )
    .addOption(new Option("-f, --format <format>", "output format").choices(ROW_FORMATS).default("table"))
    .option(
      "-o, --output <file>",
      "write rows to this file instead of standard output (- for standard output)",
      fileName("--output"),
    )
    .option(
      "-s, --suppress <file>",
      "drop rows matching a suppression list (field=pattern lines, * wildcards)",
      fileName("--suppress"),
    )
    .addOption(
      new Option("--input-format <format>", "read every input as this format instead of detecting it").choices(
        INPUT_FORMAT_CHOICES,
      ),
    )
    .addOption(new Option("--engine <engine>", "matching engine").choices(ENGINE_NAMES).default(DEFAULT_ENGINE))
    .option(
      "-j, --workers <n>",
      "threads in all (default: number of cores; at most 4 per core and one per task)",
      parsePositiveInt("--workers"),
    )
    .option(
      "--shard-size <size>",
      "bytes per task when splitting large files, e.g. 4k, 64m, 1g (default 32m; at least 4k)",
      parseShardSize,
    )
    .option("--carve", "EVTX: also recover records from slack space (reported as carved rows)", false)
    .option("--events", "one line per matched event (time, input, record, dest, process, file) instead of rows", false)
    .option("--no-progress", "no progress bar on stderr")
    .option("-q, --quiet", "no summary line on stderr", false)
    .option("-v, --verbose", "name every skipped file (and why) and every malformed record (input, byte offset)", false)
    .option(
      "--cluster <redis-url>",
      "run the tasks on cluster workers through this Redis (see: lsass-dump-scan worker)",
    )
    .option(
      "--cluster-timeout <seconds>",
      "with --cluster: give up after this long with no worker alive (default 60)",
      parsePositiveInt("--cluster-timeout"),
    );
  // Follow mode (README "Live"): src/cli/follow-command.ts.
  command
    .option("--follow", "keep watching the inputs like tail -F and print each new alert as one JSON line", false)
    .option(
      "--state <file>",
      "with --follow: where to keep positions and alerted groups, to resume after a restart",
      fileName("--state"),
    )
    .option(
      "--throttle <duration>",
      "with --follow: no new alert for a group until this has passed (default 24h)",
      parseFollowDuration("--throttle", 0),
    )
    .option(
      "--poll-interval <duration>",
      "with --follow: also look every this often (default 2s; for NFS and the like)",
      parseFollowDuration("--poll-interval", 10),
    );
  return addDeliveryOptions(command).addHelpText("after", EXAMPLES);
}

/** Validated options from commander's parsed values. */
export function scanOptionsFrom(raw: Record<string, unknown>): ScanCommandOptions {
  const inputFormat = raw.inputFormat === "jsonl" ? "flat" : (raw.inputFormat as LogFormat | undefined);
  if (raw.clusterTimeout !== undefined && raw.cluster === undefined) throw usage("--cluster-timeout needs --cluster");
  return {
    format: raw.format as RowFormat,
    output: raw.output as string | undefined,
    suppress: raw.suppress as string | undefined,
    inputFormat,
    engine: raw.engine as EngineName,
    workers: raw.workers as number | undefined,
    shardSize: (raw.shardSize as number | undefined) ?? DEFAULT_SHARD_SIZE,
    progress: raw.progress !== false,
    quiet: raw.quiet === true,
    carve: raw.carve === true,
    verbose: raw.verbose === true,
    events: raw.events === true,
    delivery: deliveryOptionsFrom(raw),
    cluster: raw.cluster as string | undefined,
    clusterTimeout: raw.clusterTimeout as number | undefined,
    follow: followOptionsFrom(raw),
  };
}

/** A file name option: an empty one (`-o ""`, an unset shell variable) is a mistake, not the current directory. */
function fileName(flag: string) {
  return (value: string): string => {
    if (value.trim() === "") throw usage(`${flag} wants a file name, got "${value}"`);
    return value;
  };
}

function followOptionsFrom(raw: Record<string, unknown>): ScanCommandOptions["follow"] {
  if (raw.follow !== true) {
    for (const flag of ["state", "throttle", "pollInterval"])
      if (raw[flag] !== undefined) throw usage(`--${flag === "pollInterval" ? "poll-interval" : flag} needs --follow`);
    return undefined;
  }
  for (const flag of ["output", "events", "cluster", "suppress"])
    if (raw[flag] !== undefined && raw[flag] !== false) throw usage(`--${flag} is not available with --follow`);
  return {
    state: raw.state as string | undefined,
    throttleMs: (raw.throttle as number | undefined) ?? DEFAULT_THROTTLE_MS,
    pollMs: (raw.pollInterval as number | undefined) ?? DEFAULT_POLL_MS,
  };
}

/** A byte count or rate for the summary line: `745 B`, `1.1 kB`, `8.2 MB`, `1.25 GB`. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  // A rate under 1 kB/s is a fraction of bytes: whole bytes, not 17 digits.
  return `${Math.round(n)} B`;
}

/** Writes rows to a sink and closes it; a failure is one line on stderr and `false`. */
async function deliver(sink: RowSink, rows: readonly Row[], say: (line: string) => void): Promise<boolean> {
  let failure: unknown;
  try {
    await sink.write(rows);
  } catch (err) {
    failure = err;
  }
  try {
    await sink.close();
  } catch (err) {
    failure ??= err;
  }
  if (failure === undefined) return true;
  if (!(failure instanceof ScanError)) throw failure;
  say(failure.message);
  return false;
}

/** Runs a scan for the CLI: prints rows and messages, returns the exit status. */
export async function runScan(inputs: readonly string[], options: ScanCommandOptions): Promise<number> {
  if (options.follow !== undefined) {
    const { runFollowCommand } = await import("./follow-command.js");
    return runFollowCommand(inputs, { ...options.follow, quiet: options.quiet, delivery: options.delivery });
  }
  // Paths and archive member names come from the inputs: escaped, never terminal control.
  const say = (line: string) => process.stderr.write(`lsass-dump-scan: ${terminalText(line)}\n`);
  const suppression = options.suppress === undefined ? undefined : loadSuppression(options.suppress);
  // `-o -` is stdout; a file is checked before the scan, and not scanned if it is in a scanned folder.
  const output = options.output === "-" ? undefined : options.output;
  if (output !== undefined) {
    try {
      await checkFileSinkPath(output);
      await checkOutputIsNotAnInput(output, inputs);
    } catch (err) {
      if (!(err instanceof ScanError)) throw err;
      say(err.message);
      return EXIT_TROUBLE;
    }
  }
  const progress = await progressDisplay(options.progress);
  const abort = new AbortController();
  // Ctrl-C and SIGTERM (kill, timeout(1), a service manager) both stop the workers and print
  // the rows found so far; without the SIGTERM handler they were lost with the process.
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    abort.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const started = process.hrtime.bigint();
  let outcome: ScanOutcome;
  const hits: InputHit[] = [];
  try {
    const onProblem = (p: ScanProblem) => progress.log(`lsass-dump-scan: ${terminalText(`${p.input}: ${p.message}`)}`);
    outcome =
      options.cluster !== undefined
        ? await clusterOutcome(inputs, options, suppression, {
            onProblem,
            onProgress: (p) => progress.update(p),
            onHit: options.events ? (hit) => hits.push(hit) : undefined,
            signal: abort.signal,
          })
        : await scan(inputs, {
            engine: options.engine,
            workers: options.workers,
            shardSize: options.shardSize,
            inputFormat: options.inputFormat,
            carve: options.carve,
            suppression,
            signal: abort.signal,
            onProgress: (p) => progress.update(p),
            onProblem,
            onWarning: (w) => progress.log(`lsass-dump-scan: warning: ${terminalText(`${w.input}: ${w.message}`)}`),
            onNote: (line) => progress.log(`lsass-dump-scan: note: ${terminalText(line)}`),
            exclude: output === undefined ? undefined : [output],
            onHit: options.events ? (hit) => hits.push(hit) : undefined,
          });
  } finally {
    progress.stop();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (abort.signal.aborted) {
    const how = stoppedBy === "SIGTERM" ? "terminated (SIGTERM)" : "interrupted";
    say(`${how}: workers stopped; rows below are from what was scanned so far`);
  }
  const { rows: kept, suppressed: dropped, result } = outcome;
  let outputFailed = false;
  if (options.events) {
    const shown = await deliverEvents(hits, suppression, options.format, output, say);
    if (shown === undefined) outputFailed = true;
  } else {
    const sink = output === undefined ? createStdoutSink(options.format) : createFileSink(output, options.format);
    if (!(await deliver(sink, kept, say))) {
      // The rows must not be lost: a failed --output file falls back to stdout.
      if (output !== undefined) await deliver(createStdoutSink(options.format), kept, say);
      outputFailed = true;
    }
  }
  // Alerts (the rows, also under --events) leave the machine once printed (README, "Sending alerts").
  const delivery = options.delivery === undefined ? undefined : await deliverRows(kept, options.delivery, say);
  if (outputFailed) {
    for (const line of delivery?.lines ?? []) say(line);
    return EXIT_TROUBLE;
  }
  if (options.verbose)
    for (const line of [...skippedLines(result.skipped), ...malformedLines(result.malformed)]) say(line);
  const malformed = malformedSummary(result.malformed);
  if (options.quiet && malformed !== undefined) say(malformed);
  if (!options.quiet) {
    const { stats } = result;
    const rate = seconds > 0 ? ` (${formatBytes(stats.bytes / seconds)}/s)` : "";
    const parts = [
      `${result.inputsScanned} input${result.inputsScanned === 1 ? "" : "s"}`,
      formatBytes(stats.bytes),
      `${stats.matches} event${stats.matches === 1 ? "" : "s"} matched`,
      `${kept.length} alert${kept.length === 1 ? "" : "s"}`,
    ];
    if (dropped > 0) parts.push(`${dropped} suppressed`);
    if (result.skipped.length > 0) parts.push(skippedSummary(result.skipped));
    if (malformed !== undefined) parts.push(malformed);
    if (result.problems.length > 0)
      parts.push(`${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}`);
    if (result.warnings.length > 0)
      parts.push(`${result.warnings.length} warning${result.warnings.length === 1 ? "" : "s"}`);
    if (delivery !== undefined) parts.push(...delivery.parts);
    say(`${parts.join(", ")} in ${seconds.toFixed(2)} s${rate}`);
  }
  for (const line of delivery?.lines ?? []) say(line);
  if (abort.signal.aborted) return stoppedBy === "SIGTERM" ? EXIT_TERMINATED : EXIT_INTERRUPTED;
  const undelivered = (delivery?.undelivered ?? 0) > 0;
  if (result.problems.length > 0 || malformed !== undefined || undelivered) return EXIT_TROUBLE;
  return kept.length > 0 ? EXIT_ALERTS : EXIT_CLEAN;
}

/** A scan on cluster workers (`--cluster`), as the outcome a local scan gives. */
async function clusterOutcome(
  inputs: readonly string[],
  options: ScanCommandOptions,
  suppression: Suppression | undefined,
  callbacks: Pick<ClusterScanOptions, "onProblem" | "onProgress" | "onHit" | "signal">,
): Promise<ScanOutcome> {
  const { scanCluster } = await import("../cluster/coordinator.js");
  const result = await scanCluster(inputs, {
    cluster: options.cluster as string,
    engine: options.engine,
    shardSize: options.shardSize,
    inputFormat: options.inputFormat,
    carve: options.carve,
    timeoutMs: (options.clusterTimeout ?? 60) * 1000,
    ...callbacks,
  });
  const { kept, dropped } = applySuppression(toRows(result.aggregates.entries()), suppression);
  const { problems, malformed, skipped, warnings } = result;
  return { rows: kept, suppressed: dropped, problems, malformed, skipped, warnings, result };
}
