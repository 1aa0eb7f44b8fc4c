/**
 * A webhook (SOAR, chat relay, ticketing) as a sink: each batch is one POST of a JSON array of
 * alerts (row keys, then `alert_id`), with an `Idempotency-Key` made of the batch's alert ids
 * (the same batch replayed carries the same key) and, when a secret is set, GitHub's signature
 * convention under the name `X-Signature-256: sha256=<hex HMAC-SHA256 of the exact body>`.
 */

import { createHash, createHmac } from "node:crypto";
import { ScanError } from "../errors.js";
import type { Alert } from "./alert-id.js";
import { type HttpClient, httpClient, isFailure, redirectTarget } from "./http-client.js";
import { type AlertTransport, type OutboxOptions, OutboxSink, type SendOutcome } from "./outbox-sink.js";
import { parseRetryAfter } from "./retry.js";

/**
 * Where to POST and how to sign.
 *
 * @example
 * ```ts
 * const options: WebhookOptions = { url: "https://soar.example/hooks/lsass", secret: process.env.LSASS_DUMP_SCAN_WEBHOOK_SECRET };
 * ```
 */
export interface WebhookOptions {
  /** The receiver's URL (http or https). */
  url: string;
  /** HMAC key for X-Signature-256 (from LSASS_DUMP_SCAN_WEBHOOK_SECRET), or none. */
  secret?: string | undefined;
  /** Skip TLS certificate verification. */
  insecure?: boolean | undefined;
}

/**
 * `sha256=<hex>`: the X-Signature-256 value for `body` (GitHub's X-Hub-Signature-256 format).
 *
 * @example
 * ```ts
 * // On the receiving side, over the raw body bytes:
 * const ok = timingSafeEqual(Buffer.from(webhookSignature(secret, rawBody)), Buffer.from(req.headers["x-signature-256"]));
 * ```
 */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** The Idempotency-Key of a batch: hex SHA-256 of its alert ids, one a line. */
export function idempotencyKey(alerts: readonly Alert[]): string {
  return createHash("sha256")
    .update(alerts.map((a) => a.alert_id).join("\n"))
    .digest("hex");
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const DATA_STATUSES = new Set([400, 413, 422]);
const REQUEST_TIMEOUT_MS = 30_000;

function checkedUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ScanError("LDS_E_USAGE", `--webhook wants a URL like https://soar.example/hooks/lsass, got "${url}"`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new ScanError("LDS_E_USAGE", `--webhook wants an http(s) URL, got "${parsed.protocol}"`);
  return parsed;
}

/** `user:password` from a URL's userinfo, percent-decoding undone; undefined when it has none. */
function basicCredentials(url: URL): string | undefined {
  if (url.username === "" && url.password === "") return undefined;
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return `${decode(url.username)}:${decode(url.password)}`;
}

/** True for an answer that is a web page: Content-Type text/html and a body that starts like one. */
function isHtmlPage(type: string | string[] | undefined, body: string): boolean {
  const text = Array.isArray(type) ? type[0] : type;
  return text !== undefined && /^\s*text\/html/i.test(text) && /^\s*(<!doctype html|<html[\s>])/i.test(body);
}

class WebhookTransport implements AlertTransport {
  readonly kind = "webhook" as const;
  readonly name: string;
  private readonly url: string;
  /** `Basic ...` from the URL's user:password@, which undici would drop silently (RFC 7617). */
  private readonly authorization: string | undefined;
  private client: HttpClient | undefined;
  private sent = 0;

  constructor(private readonly options: WebhookOptions) {
    const parsed = checkedUrl(options.url);
    const credentials = basicCredentials(parsed);
    if (credentials !== undefined) {
      this.authorization = `Basic ${Buffer.from(credentials, "utf8").toString("base64")}`;
      parsed.username = "";
      parsed.password = "";
    }
    this.url = parsed.href;
    // Credentials or a query (often a key) in the URL never reach messages, nor a long path
    // segment: chat webhooks carry their key in the path (Slack's /services/T../B../<key>,
    // Discord's /api/webhooks/<id>/<token>, Teams' GUIDs).
    const path = parsed.pathname
      .split("/")
      .map((segment) => (segment.length >= 16 ? "REDACTED" : segment))
      .join("/");
    this.name = `webhook ${parsed.origin}${path}`;
  }

  encode(alert: Alert): string {
    return JSON.stringify(alert);
  }

  async send(
    batch: readonly Alert[],
    encoded: readonly string[],
    deadline: number,
    signal?: AbortSignal,
  ): Promise<SendOutcome> {
    this.client ??= await httpClient({ insecure: this.options.insecure === true });
    const body = `[${encoded.join(",")}]`;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "lsass-dump-scan",
      "idempotency-key": idempotencyKey(batch),
    };
    if (this.options.secret !== undefined) headers["x-signature-256"] = webhookSignature(this.options.secret, body);
    if (this.authorization !== undefined) headers.authorization = this.authorization;
    const timeout = Math.max(1_000, Math.min(REQUEST_TIMEOUT_MS, deadline - Date.now()));
    const answer = await this.client.post(this.url, headers, body, timeout, signal);
    if (isFailure(answer))
      return answer.fatal ? { kind: "fatal", reason: answer.reason } : { kind: "retry", reason: answer.reason };
    const what = `HTTP ${answer.status}`;
    if (answer.status >= 200 && answer.status < 300) {
      // A captive portal or a proxy's sign-in page answers 200 with HTML: the receiver never
      // saw the alerts. Receivers answer JSON, text or nothing.
      if (isHtmlPage(answer.headers["content-type"], answer.body)) {
        return {
          kind: "retry",
          reason: `${what} with an HTML page, not the receiver's answer (a proxy's sign-in page?)`,
        };
      }
      this.sent += batch.length;
      return { kind: "delivered" };
    }
    if (RETRY_STATUSES.has(answer.status))
      return { kind: "retry", reason: what, retryAfterMs: parseRetryAfter(answer.headers["retry-after"]) };
    // The IETF Idempotency-Key draft (draft-ietf-httpapi-idempotency-key-header, "Error
    // Scenarios"): 409 is the answer while a request with the same key is still being processed
    // (a batch sent again after a timeout, or by `deliver` after a crash), and the one error a
    // client retries without a change. Later, the first request's answer comes back.
    if (answer.status === 409) {
      return {
        kind: "retry",
        reason: `${what}: the receiver is still processing a request with this Idempotency-Key`,
        retryAfterMs: parseRetryAfter(answer.headers["retry-after"]),
      };
    }
    if (answer.status === 401 || answer.status === 403)
      return {
        kind: "fatal",
        reason: `${what}: the receiver refused us (check LSASS_DUMP_SCAN_WEBHOOK_SECRET, and the user:password in the --webhook URL when it wants one)`,
      };
    if (DATA_STATUSES.has(answer.status)) return { kind: "rejected", reason: what };
    const target = redirectTarget(answer);
    if (target !== undefined)
      return { kind: "fatal", reason: `${what}: redirected to ${target}; use that --webhook URL` };
    return { kind: "fatal", reason: `${what}: not accepted (check the --webhook URL)` };
  }

  counts(): { sent: number } {
    return { sent: this.sent };
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}

/**
 * A RowSink POSTing alerts to a webhook, with a spool behind it. Throws LDS_E_USAGE for a bad URL.
 *
 * @example
 * ```ts
 * const sink = webhookSink({ url: "https://soar.example/hooks/lsass", secret }, { spoolDir: defaultSpoolDir(), deliverTimeoutMs: 120_000 });
 * await sink.write(rows);
 * console.error((await sink.close()).detail);
 * ```
 */
export function webhookSink(options: WebhookOptions, outbox: OutboxOptions): OutboxSink {
  const transport = new WebhookTransport(options);
  // A URL's password is masked as typed (percent-encoded) and decoded; so is a user name
  // without a password (an API token as the user name, as some receivers take it).
  const url = checkedUrl(options.url);
  const credentials = basicCredentials(url);
  const colon = credentials?.indexOf(":") ?? -1;
  const password = credentials?.slice(colon + 1);
  const tokenUser = url.password === "" && credentials !== undefined ? [url.username, credentials.slice(0, colon)] : [];
  const secrets = [options.secret, url.password, password, ...tokenUser];
  return new OutboxSink(transport, { ...outbox, secrets: [...(outbox.secrets ?? []), ...secrets] });
}
