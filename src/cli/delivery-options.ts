/**
 * The options that send alerts off the machine (`--hec`, `--webhook`, the spool), shared by
 * `scan` and `deliver`: registering them, validating them before anything is read, opening the
 * sinks and reporting what they did. Tokens come from the environment or a file, never argv.
 */

import { readFileSync, statSync } from "node:fs";
import { type Command, Option } from "commander";
import { describeError, ScanError } from "../errors.js";
import type { Row } from "../report/row.js";
import { DEFAULT_BATCH_ALERTS, defaultSpoolDir } from "../sinks/delivery-defaults.js";
import type { OutboxOptions, OutboxSink, OutboxSummary } from "../sinks/outbox-sink.js";
import { redactSecrets } from "../sinks/redact.js";
import { redactUrl } from "../source/redact.js";

/** Validated delivery options. */
export interface DeliveryOptions {
  hec?: { url: string; token: string; index?: string; sourcetype?: string; source?: string; ack: boolean } | undefined;
  webhook?: { url: string; secret?: string | undefined } | undefined;
  insecure: boolean;
  spoolDir: string;
  deliverTimeoutMs: number;
  batchAlerts: number;
}

/** Default --deliver-timeout: 2 minutes. */
export const DEFAULT_DELIVER_TIMEOUT_MS = 120_000;

function usage(message: string): ScanError {
  return new ScanError("LDS_E_USAGE", message);
}

/** `500ms`, `30s`, `2m`, `1h`, or a number of seconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (m === null) throw usage(`--deliver-timeout wants a duration like 30s, 2m or 500ms, got "${value}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  const ms = unit === "ms" ? n : unit === "s" ? n * 1000 : unit === "m" ? n * 60_000 : n * 3_600_000;
  if (ms < 1) throw usage(`--deliver-timeout must be more than 0, got "${value}"`);
  return Math.round(ms);
}

function parseBatch(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw usage(`--deliver-batch wants a whole number from 1 to 100000, got "${value}"`);
  return n;
}

/** Throws LDS_E_USAGE unless `url` is an http(s) URL; the message never shows its secrets. */
function checkHttpUrl(flag: string, url: string, example: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(`${flag} wants a URL like ${example}, got "${redactUrl(url)}"`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw usage(`${flag} wants an http(s) URL like ${example}, got "${parsed.protocol}"`);
}

/** Adds the delivery options to a command (`scan` or `deliver`). */
export function addDeliveryOptions(command: Command): Command {
  return command
    .option("--hec <url>", "send alerts to Splunk HEC (https://splunk:8088; token from SPLUNK_HEC_TOKEN)")
    .option("--hec-token-file <file>", "read the HEC token from this file (mode 600) instead of SPLUNK_HEC_TOKEN")
    .option("--hec-index <index>", "HEC index (default: the token's)")
    .option("--hec-sourcetype <sourcetype>", "HEC sourcetype (default: lsass-dump-scan:alert)")
    .option("--hec-source <source>", "HEC source (default: lsass-dump-scan)")
    .option("--hec-ack", "count an alert delivered only when HEC's indexer acknowledgment says so", false)
    .option("--webhook <url>", "POST alerts as a JSON array (signed with LSASS_DUMP_SCAN_WEBHOOK_SECRET when set)")
    .option("--insecure", "do not verify the server's TLS certificate (test servers only)", false)
    .option("--spool <dir>", `outbox for alerts not yet delivered (default: ${defaultSpoolDir()})`)
    .option(
      "--deliver-timeout <duration>",
      "how long to retry a busy or unreachable server (default: 2m)",
      parseDuration,
    )
    .option("--deliver-batch <n>", `alerts per request (default: ${DEFAULT_BATCH_ALERTS})`, parseBatch)
    .addOption(
      new Option("--hec-token <token>").hideHelp().argParser(() => {
        throw usage(
          "--hec-token is not accepted (argv is visible to every user); set SPLUNK_HEC_TOKEN or use --hec-token-file",
        );
      }),
    );
}

/** The HEC token: SPLUNK_HEC_TOKEN, or the file's first line (with a warning when others can read it). */
function readToken(file: string | undefined, warn: (line: string) => void): string {
  if (file !== undefined) {
    let text: string;
    try {
      const mode = statSync(file).mode;
      text = readFileSync(file, "utf8");
      if ((mode & 0o077) !== 0)
        warn(`${file}: the token file can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
    } catch (err) {
      throw usage(`--hec-token-file ${file}: ${describeError(err)}`);
    }
    const token = text.split(/\r?\n/)[0]?.trim() ?? "";
    if (token.length === 0) throw usage(`--hec-token-file ${file}: the file is empty`);
    return token;
  }
  const env = process.env.SPLUNK_HEC_TOKEN?.trim();
  if (env === undefined || env.length === 0)
    throw usage("--hec needs a token: set SPLUNK_HEC_TOKEN or use --hec-token-file FILE");
  return env;
}

/**
 * Validated delivery options from commander's values, or undefined when no destination was
 * given. Throws LDS_E_USAGE (before anything is scanned) for a missing token or a bad value.
 */
export function deliveryOptionsFrom(
  raw: Record<string, unknown>,
  warn: (line: string) => void = (l) => process.stderr.write(`lsass-dump-scan: ${l}\n`),
): DeliveryOptions | undefined {
  const hecUrl = raw.hec as string | undefined;
  const webhookUrl = raw.webhook as string | undefined;
  const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (hecUrl === undefined) {
    // An option that would do nothing is a mistake the user should hear about.
    for (const flag of ["hecTokenFile", "hecIndex", "hecSourcetype", "hecSource", "hecAck"]) {
      if (raw[flag] !== undefined && raw[flag] !== false) throw usage(`${flagName(flag)} needs --hec`);
    }
  }
  if (hecUrl === undefined && webhookUrl === undefined) {
    for (const flag of ["spool", "deliverTimeout", "deliverBatch", "insecure"]) {
      if (raw[flag] !== undefined && raw[flag] !== false) throw usage(`${flagName(flag)} needs --hec or --webhook`);
    }
    return undefined;
  }
  // Checked here, before the scan; the sinks check again for library callers.
  if (hecUrl !== undefined) checkHttpUrl("--hec", hecUrl, "https://splunk:8088");
  if (webhookUrl !== undefined) checkHttpUrl("--webhook", webhookUrl, "https://soar.example/hooks/lsass");
  if (raw.spool === "") throw usage("--spool wants a directory, got an empty name");
  if (typeof raw.spool === "string") {
    const kind = statSync(raw.spool, { throwIfNoEntry: false });
    if (kind !== undefined && !kind.isDirectory()) throw usage(`--spool ${raw.spool}: not a directory`);
  }
  const secret = process.env.LSASS_DUMP_SCAN_WEBHOOK_SECRET;
  return {
    hec:
      hecUrl === undefined
        ? undefined
        : {
            url: hecUrl,
            token: readToken(raw.hecTokenFile as string | undefined, warn),
            ...(raw.hecIndex !== undefined ? { index: raw.hecIndex as string } : {}),
            ...(raw.hecSourcetype !== undefined ? { sourcetype: raw.hecSourcetype as string } : {}),
            ...(raw.hecSource !== undefined ? { source: raw.hecSource as string } : {}),
            ack: raw.hecAck === true,
          },
    webhook: webhookUrl === undefined ? undefined : { url: webhookUrl, secret: secret === "" ? undefined : secret },
    insecure: raw.insecure === true,
    spoolDir: (raw.spool as string | undefined) ?? defaultSpoolDir(),
    deliverTimeoutMs: (raw.deliverTimeout as number | undefined) ?? DEFAULT_DELIVER_TIMEOUT_MS,
    batchAlerts: (raw.deliverBatch as number | undefined) ?? DEFAULT_BATCH_ALERTS,
  };
}

/**
 * Ctrl-C while alerts are being sent: the first one stops sending (the request in flight is
 * cancelled; everything not delivered is in the spool and the run says so); a second one kills
 * the process as usual, which loses nothing either (the spool was fsynced before any send).
 */
export function interruptOnSigint(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  return { signal: controller.signal, release: () => process.removeListener("SIGINT", onSigint) };
}

/**
 * The sinks the options name (HEC first); throws LDS_E_USAGE for a bad URL. Their modules load
 * here, so a scan without `--hec`/`--webhook` never loads them (start-up time is measured).
 */
export async function openDeliverySinks(
  options: DeliveryOptions,
  note: (line: string) => void,
  signal?: AbortSignal,
  resumeAfterMs?: number,
): Promise<OutboxSink[]> {
  const { hecSink } = await import("../sinks/hec-sink.js");
  const { webhookSink } = await import("../sinks/webhook-sink.js");
  const outbox: OutboxOptions = {
    signal,
    spoolDir: options.spoolDir,
    deliverTimeoutMs: options.deliverTimeoutMs,
    maxBatchAlerts: options.batchAlerts,
    secrets: [options.hec?.token, options.webhook?.secret],
    onNote: note,
    resumeAfterMs,
  };
  const sinks: OutboxSink[] = [];
  if (options.hec !== undefined) sinks.push(hecSink({ ...options.hec, insecure: options.insecure }, outbox));
  if (options.webhook !== undefined)
    sinks.push(webhookSink({ ...options.webhook, insecure: options.insecure }, outbox));
  return sinks;
}

/** What delivery adds to a run's report. */
export interface DeliveryReport {
  /** Parts for the summary line (`HEC: 3 sent, 3 acked, 0 spooled, 0 dead-lettered`). */
  parts: string[];
  /** Alerts spooled or dead-lettered, over all sinks. */
  undelivered: number;
  /** Lines for stderr after the summary (how many alerts were not delivered, where they are). */
  lines: string[];
}

function shortName(s: OutboxSummary): string {
  return s.name.startsWith("Splunk HEC") ? "HEC" : "webhook";
}

/**
 * Prints each stopped sink's reason (one line each); returns the summary parts and, when alerts
 * stay undelivered, one line saying how many and where the spool is, for after the summary.
 */
export function reportDelivery(
  summaries: readonly OutboxSummary[],
  options: DeliveryOptions,
  say: (line: string) => void,
): DeliveryReport {
  const secrets = [options.hec?.token, options.webhook?.secret];
  const parts: string[] = [];
  const lines: string[] = [];
  let undelivered = 0;
  let deadLettered = 0;
  let unspooled = 0;
  for (const s of summaries) {
    const counts = [`${s.sent} sent`];
    if (s.acked !== undefined) counts.push(`${s.acked} acked`);
    counts.push(`${s.spooled} spooled`, `${s.deadLettered} dead-lettered`);
    if ((s.unspooled ?? 0) > 0) counts.push(`${s.unspooled} lost (not spooled)`);
    unspooled += s.unspooled ?? 0;
    parts.push(`${shortName(s)}: ${counts.join(", ")}`);
    if (s.stopped !== undefined) say(redactSecrets(`${s.name}: ${s.stopped}`, secrets));
    undelivered += s.undelivered;
    deadLettered += s.deadLettered;
  }
  if (unspooled > 0) {
    lines.push(
      `${unspooled} alert${unspooled === 1 ? "" : "s"} neither delivered nor spooled (the spool could not be written); only the rows printed show ${unspooled === 1 ? "it" : "them"}`,
    );
  }
  if (undelivered - unspooled > 0) {
    const kept = undelivered - unspooled;
    const resend = [
      `lsass-dump-scan deliver --spool ${options.spoolDir}`,
      // A query string or user:password@ in the URL is a credential: never printed.
      ...(options.hec ? [`--hec ${redactUrl(options.hec.url)}`] : []),
      ...(options.webhook ? ["--webhook URL"] : []),
    ].join(" ");
    lines.push(
      `${kept} alert${kept === 1 ? "" : "s"} not delivered (${deadLettered} dead-lettered); kept in the spool ${options.spoolDir}; resend with: ${resend}`,
    );
  }
  return { parts, undelivered, lines };
}

/** Sends rows to every destination the options name and reports; the rows are already printed. */
export async function deliverRows(
  rows: readonly Row[],
  options: DeliveryOptions,
  say: (line: string) => void,
): Promise<DeliveryReport> {
  const interrupt = interruptOnSigint();
  try {
    return await deliverWith(await openDeliverySinks(options, say, interrupt.signal), rows, options, say);
  } finally {
    interrupt.release();
  }
}

async function deliverWith(
  sinks: readonly OutboxSink[],
  rows: readonly Row[],
  options: DeliveryOptions,
  say: (line: string) => void,
): Promise<DeliveryReport> {
  let lost = 0;
  for (const sink of sinks) {
    try {
      await sink.write(rows);
    } catch (err) {
      // Not a spool failure (those are sent from memory): these rows are on stdout only.
      say(
        `${sink.name}: ${describeError(err)}; ${rows.length} alert${rows.length === 1 ? "" : "s"} not sent and not spooled`,
      );
      lost += rows.length;
    }
  }
  const summaries: OutboxSummary[] = [];
  for (const sink of sinks) summaries.push(await sink.close());
  const report = reportDelivery(summaries, options, say);
  return { ...report, undelivered: report.undelivered + lost };
}
