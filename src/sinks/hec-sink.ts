/**
 * Splunk HTTP Event Collector as a sink. Each alert is one HEC event (JSON envelope: time,
 * host, source, sourcetype, index, event), several events concatenated in one POST to
 * /services/collector/event (HEC's batching). With indexer acknowledgment, each POST carries an
 * `X-Splunk-Request-Channel` GUID, its answer an `ackId`, and a batch counts as delivered only
 * once POST /services/collector/ack says `{"acks":{"<id>":true}}`. HEC's status codes
 * (0 Success ... 14 ACK is disabled) decide what happens: see {@link classifyHecAnswer}.
 * The token goes in the Authorization header and nowhere else.
 */

import { randomUUID } from "node:crypto";
import { ScanError } from "../errors.js";
import type { Alert } from "./alert-id.js";
import { type HttpAnswer, type HttpClient, httpClient, isFailure, redirectTarget } from "./http-client.js";
import { type AlertTransport, type OutboxOptions, OutboxSink, type SendOutcome } from "./outbox-sink.js";
import { parseRetryAfter, sleep } from "./retry.js";

/**
 * Where and how to send HEC events.
 *
 * @example
 * ```ts
 * const options: HecOptions = { url: "https://splunk:8088", token: process.env.SPLUNK_HEC_TOKEN!, index: "endpoint", ack: true };
 * ```
 */
export interface HecOptions {
  /** `https://splunk:8088` (then /services/collector/event is used) or a full endpoint URL. */
  url: string;
  /** The HEC token (from SPLUNK_HEC_TOKEN or a token file; never from argv). */
  token: string;
  /** Target index; HEC's default for the token when absent. */
  index?: string | undefined;
  /** Default `lsass-dump-scan:alert`. */
  sourcetype?: string | undefined;
  /** Default `lsass-dump-scan`. */
  source?: string | undefined;
  /** Use indexer acknowledgment. */
  ack?: boolean | undefined;
  /** Skip TLS certificate verification. */
  insecure?: boolean | undefined;
  /** Batches in flight at once (default 1; 8 with acks). */
  inFlight?: number | undefined;
}

/** HEC's status codes, as Splunk documents them ("Troubleshoot HTTP Event Collector"). */
export const HEC_CODES: Readonly<Record<number, string>> = {
  0: "Success",
  1: "Token disabled",
  2: "Token is required",
  3: "Invalid authorization",
  4: "Invalid token",
  5: "No data",
  6: "Invalid data format",
  7: "Incorrect index",
  8: "Internal server error",
  9: "Server is busy",
  10: "Data channel is missing",
  11: "Invalid data channel",
  12: "Event field is required",
  13: "Event field cannot be blank",
  14: "ACK is disabled",
};

/** 400 codes that are about settings (index, channel, ack): stop, sending more cannot help. */
const SETTINGS_CODES = new Set([7, 10, 11, 14]);
/** 400 codes that are about the data: find the bad event by bisection. */
const DATA_CODES = new Set([5, 6, 12, 13]);
/** Statuses worth trying again. */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** The event endpoint and the ack endpoint for a `--hec` URL; throws LDS_E_USAGE for a bad one. */
export function hecEndpoints(url: string): { event: string; ack: string; name: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ScanError("LDS_E_USAGE", `--hec wants a URL like https://splunk:8088, got "${url}"`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new ScanError("LDS_E_USAGE", `--hec wants an http(s) URL, got "${parsed.protocol}"`);
  if (parsed.username !== "" || parsed.password !== "")
    throw new ScanError("LDS_E_USAGE", "--hec URL must not hold credentials; the token comes from SPLUNK_HEC_TOKEN");
  if (parsed.pathname === "/" || parsed.pathname === "") parsed.pathname = "/services/collector/event";
  parsed.hash = "";
  // The ack endpoint sits beside the event endpoint: behind a proxy that adds a path prefix
  // (https://gw/splunk/services/collector/event), the prefix is kept.
  const at = parsed.pathname.indexOf("/services/collector");
  const prefix = at > 0 ? parsed.pathname.slice(0, at) : "";
  const ack = new URL(`${prefix}/services/collector/ack`, parsed.origin).href;
  return { event: parsed.href, ack, name: `Splunk HEC ${parsed.origin}${parsed.pathname}` };
}

interface HecBody {
  text?: unknown;
  code?: unknown;
  ackId?: unknown;
  acks?: unknown;
  "invalid-event-number"?: unknown;
}

function parseBody(text: string): HecBody | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as HecBody) : undefined;
  } catch {
    return undefined;
  }
}

function snippet(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}...` : flat;
}

function describeAnswer(a: HttpAnswer, body: HecBody | undefined): string {
  if (body !== undefined && typeof body.code === "number") {
    const text = typeof body.text === "string" ? body.text : (HEC_CODES[body.code] ?? "unknown code");
    return `HTTP ${a.status} (HEC code ${body.code}: ${snippet(text)})`;
  }
  return `HTTP ${a.status}${a.body.length > 0 ? ` (${snippet(a.body)})` : ""}`;
}

/**
 * What a HEC answer means for the batch: `delivered` only for 200 with `{"code":0}`; a token
 * refused (401/403) or a setting refused (400 codes 7/10/11/14) is fatal; bad data (400 codes
 * 5/6/12/13, 413) is `rejected`; 408/429/5xx and any answer that is not HEC's JSON are retried.
 */
export function classifyHecAnswer(a: HttpAnswer & { requestChannel?: boolean }): SendOutcome & { ackId?: number } {
  const body = parseBody(a.body);
  const what = describeAnswer(a, body);
  const code = typeof body?.code === "number" ? body.code : undefined;
  if (a.status === 200) {
    if (code === 0)
      return typeof body?.ackId === "number" ? { kind: "delivered", ackId: body.ackId } : { kind: "delivered" };
    const seen = a.truncated === true ? "an answer of more than 64 KiB, cut there" : snippet(a.body) || "empty body";
    return { kind: "retry", reason: `HTTP 200 without HEC's {"code":0} answer (${seen})` };
  }
  if (a.status === 401 || a.status === 403) {
    return { kind: "fatal", reason: `${what}: the HEC token was refused (check SPLUNK_HEC_TOKEN or --hec-token-file)` };
  }
  if (a.status === 400 && code !== undefined && SETTINGS_CODES.has(code)) {
    const sentChannel = a.requestChannel === true;
    const hint =
      code === 7
        ? "check --hec-index and the token's allowed indexes"
        : code === 14
          ? "indexer acknowledgment is off for this token; drop --hec-ack or turn it on"
          : sentChannel
            ? "HEC did not accept this run's X-Splunk-Request-Channel (a proxy that drops or changes headers?)"
            : "the token wants indexer acknowledgment; use --hec-ack";
    return { kind: "fatal", reason: `${what}: ${hint}` };
  }
  if ((a.status === 400 && code !== undefined && DATA_CODES.has(code)) || a.status === 413) {
    return { kind: "rejected", reason: what };
  }
  if (RETRY_STATUSES.has(a.status)) {
    return { kind: "retry", reason: what, retryAfterMs: parseRetryAfter(a.headers["retry-after"]) };
  }
  if (a.status === 404) return { kind: "fatal", reason: `${what}: no HEC endpoint at this URL (check the --hec path)` };
  const target = redirectTarget(a);
  if (target !== undefined)
    return { kind: "fatal", reason: `HTTP ${a.status}: redirected to ${target}; use that --hec URL` };
  return { kind: "fatal", reason: what };
}

/** Longest wait for one answer; a slower one counts as a network failure and is retried. */
const REQUEST_TIMEOUT_MS = 30_000;
/** First pause between two ack polls; it grows by half each time up to {@link ACK_POLL_MAX_MS}. */
const ACK_POLL_FIRST_MS = 100;
/** Longest pause between two ack polls (Splunk asks clients not to poll in a tight loop). */
const ACK_POLL_MAX_MS = 2_000;

/**
 * Batches in flight while waiting for acks: an ack takes about one indexer flush, so sending
 * one batch at a time left the line idle (bench/RESULTS.md, "Alert delivery").
 */
const ACK_IN_FLIGHT = 8;

function requestTimeout(deadline: number): number {
  return Math.max(1_000, Math.min(REQUEST_TIMEOUT_MS, deadline - Date.now()));
}

/** HEC over undici. */
class HecTransport implements AlertTransport {
  readonly kind = "hec" as const;
  readonly name: string;
  readonly inFlight: number;
  private readonly endpoints: { event: string; ack: string };
  private readonly channel: string | undefined;
  private client: HttpClient | undefined;
  private sent = 0;
  private acked = 0;
  /**
   * ackIds this channel has been given since HEC last started them again. They are unique per
   * channel, so one given twice means HEC restarted: batches still waiting for an older one may
   * have been lost with it, and a "true" for that id now acknowledges another batch.
   */
  private readonly ackIdsGiven = new Set<number>();
  /** Bumped each time HEC is seen starting its ackIds again; a wait from an older one is void. */
  private ackEpoch = 0;

  constructor(private readonly options: HecOptions) {
    const endpoints = hecEndpoints(options.url);
    this.endpoints = endpoints;
    this.name = endpoints.name;
    this.channel = options.ack ? randomUUID() : undefined;
    this.inFlight = options.inFlight ?? (options.ack ? ACK_IN_FLIGHT : 1);
  }

  encode(alert: Alert): string {
    const envelope: Record<string, unknown> = {};
    const last = alert.lastTime === null ? Number.NaN : Date.parse(`${alert.lastTime}Z`);
    if (!Number.isNaN(last)) envelope.time = last / 1000;
    envelope.host = alert.dest;
    envelope.source = this.options.source ?? "lsass-dump-scan";
    envelope.sourcetype = this.options.sourcetype ?? "lsass-dump-scan:alert";
    if (this.options.index !== undefined) envelope.index = this.options.index;
    envelope.event = alert;
    return JSON.stringify(envelope);
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = {
      authorization: `Splunk ${this.options.token}`,
      "content-type": "application/json",
      "user-agent": "lsass-dump-scan",
    };
    if (this.channel !== undefined) h["x-splunk-request-channel"] = this.channel;
    return h;
  }

  async send(
    batch: readonly Alert[],
    encoded: readonly string[],
    deadline: number,
    signal?: AbortSignal,
  ): Promise<SendOutcome> {
    this.client ??= await httpClient({ insecure: this.options.insecure === true });
    const timeout = requestTimeout(deadline);
    const answer = await this.client.post(this.endpoints.event, this.headers(), encoded.join(""), timeout, signal);
    if (isFailure(answer))
      return answer.fatal ? { kind: "fatal", reason: answer.reason } : { kind: "retry", reason: answer.reason };
    const outcome = classifyHecAnswer({ ...answer, requestChannel: this.channel !== undefined });
    if (outcome.kind !== "delivered") return outcome;
    this.sent += batch.length;
    if (this.channel === undefined) return { kind: "delivered" };
    if (outcome.ackId === undefined) {
      return {
        kind: "fatal",
        reason:
          "HEC answered without an ackId: indexer acknowledgment is off for this token; drop --hec-ack or turn it on",
      };
    }
    if (this.ackIdsGiven.has(outcome.ackId)) {
      this.ackEpoch++;
      this.ackIdsGiven.clear();
    }
    this.ackIdsGiven.add(outcome.ackId);
    return this.waitForAck(outcome.ackId, this.ackEpoch, batch.length, deadline, signal);
  }

  /** Polls /services/collector/ack until the batch's ackId is true, or the deadline. */
  private async waitForAck(
    ackId: number,
    epoch: number,
    count: number,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<SendOutcome> {
    const restarted = (): SendOutcome => ({
      kind: "retry",
      reason: `ackId ${ackId} was given again: HEC restarted, and this batch may have been lost with it; sending it again`,
      retryAfterMs: 1,
    });
    let pause = ACK_POLL_FIRST_MS;
    let last = "no answer yet";
    const body = JSON.stringify({ acks: [ackId] });
    while (Date.now() < deadline && !signal?.aborted) {
      await sleep(Math.min(pause, deadline - Date.now()), signal);
      pause = Math.min(ACK_POLL_MAX_MS, Math.round(pause * 1.5));
      const answer = await this.client!.post(
        this.endpoints.ack,
        this.headers(),
        body,
        requestTimeout(deadline),
        signal,
      );
      if (isFailure(answer)) {
        if (answer.fatal) return { kind: "fatal", reason: answer.reason };
        last = answer.reason;
        continue;
      }
      if (epoch !== this.ackEpoch) return restarted();
      const parsed = parseBody(answer.body);
      if (answer.status === 200 && parsed !== undefined && typeof parsed.acks === "object" && parsed.acks !== null) {
        if ((parsed.acks as Record<string, unknown>)[String(ackId)] === true) {
          this.acked += count;
          return { kind: "delivered" };
        }
        last = `ackId ${ackId} not yet indexed`;
        continue;
      }
      const outcome = classifyHecAnswer({ ...answer, requestChannel: true });
      if (outcome.kind === "fatal") return outcome;
      last = describeAnswer(answer, parsed);
    }
    return { kind: "retry", reason: `no acknowledgment for ackId ${ackId} (${last}); the batch stays in the spool` };
  }

  counts(): { sent: number; acked?: number } {
    return this.channel === undefined ? { sent: this.sent } : { sent: this.sent, acked: this.acked };
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}

/**
 * A RowSink sending alerts to Splunk HEC, with a spool behind it. Throws LDS_E_USAGE for a bad URL.
 *
 * @example
 * ```ts
 * const sink = hecSink({ url: "https://splunk:8088", token }, { spoolDir: defaultSpoolDir(), deliverTimeoutMs: 120_000 });
 * await sink.write((await scan(["logs/"])).rows); // spooled (fsynced), sending starts
 * const { delivered, spooled, deadLettered } = await sink.close();
 * ```
 */
export function hecSink(options: HecOptions, outbox: OutboxOptions): OutboxSink {
  return new OutboxSink(new HecTransport(options), {
    ...outbox,
    secrets: [...(outbox.secrets ?? []), options.token],
  });
}
