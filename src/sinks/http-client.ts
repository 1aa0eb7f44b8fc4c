/**
 * The one HTTP client the alert sinks use: undici (loaded when a sink first sends, so a scan
 * without one never pays for it), one connection pool per sink, TLS verification on unless the
 * user asked for `--insecure`. Failures come back as data (an answer, or a classified network
 * error), never as a throw, so the outbox decides what to retry.
 */

import type { Dispatcher } from "undici";
import { describeError, UNTRUSTED_CERTIFICATE_CODES } from "../errors.js";

/**
 * Most bytes of an answer's body that are read: HEC and webhook answers are a line of JSON.
 * A server streaming an endless or huge body (a misdirected URL, a broken proxy) would
 * otherwise fill the memory for as long as the request timeout lets it.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** An HTTP answer, body read whole up to {@link MAX_ANSWER_BYTES} (HEC and webhook answers are small). */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** True when the body was longer than {@link MAX_ANSWER_BYTES}: `body` is its beginning, the rest was not read. */
  truncated?: boolean | undefined;
}

/** A request that got no answer: a network error, a timeout, a refused certificate. */
export interface HttpFailure {
  /** True when trying again cannot help (the server's certificate is not trusted). */
  fatal: boolean;
  /** One line on what went wrong, without any header value. */
  reason: string;
}

/** POSTs with one connection pool; close() releases it. */
export interface HttpClient {
  /** Sends one request; resolves to the answer or to why there was none (`signal` cancels it). */
  post(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<HttpAnswer | HttpFailure>;
  /** Closes idle connections so the process can exit. */
  close(): Promise<void>;
}

/** TLS handshakes that fail because the other end does not speak TLS there (an http:// port). */
const NOT_TLS_CODES = new Set([
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_SSL_PACKET_LENGTH_TOO_LONG",
  "ERR_SSL_HTTP_REQUEST",
]);

/** Why a request got no answer, as one line. */
export function classifyNetworkError(err: unknown, timeoutMs: number): HttpFailure {
  const code = (err as { code?: string } | undefined)?.code;
  const causeCode = (err as { cause?: { code?: string } } | undefined)?.cause?.code;
  const tls = [code, causeCode].find((c) => c !== undefined && UNTRUSTED_CERTIFICATE_CODES.has(c));
  if (tls !== undefined) {
    return { fatal: true, reason: `TLS certificate not trusted (${tls}); use --insecure only for a test server` };
  }
  const notTls = [code, causeCode].find((c) => c !== undefined && NOT_TLS_CODES.has(c));
  if (notTls !== undefined) {
    // Trying again cannot help, and OpenSSL's own text (file and line numbers) helps nobody.
    return {
      fatal: true,
      reason: `TLS handshake failed (${notTls}): the server does not speak TLS on this port (http://?)`,
    };
  }
  const name = (err as { name?: string } | undefined)?.name;
  if (
    name === "TimeoutError" ||
    name === "AbortError" ||
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT"
  ) {
    return { fatal: false, reason: `no answer within ${(timeoutMs / 1000).toFixed(1)} s` };
  }
  if (code === "ECONNREFUSED" || causeCode === "ECONNREFUSED") return { fatal: false, reason: "connection refused" };
  const what = [code ?? causeCode, describeError(err)].filter((s) => s !== undefined).join(": ");
  return { fatal: false, reason: `network error (${what})` };
}

/**
 * For a 3xx answer (requests are not redirected: a POST body is not sent twice to a place
 * the user did not name), where it points, without its query string; undefined otherwise.
 */
export function redirectTarget(a: HttpAnswer): string | undefined {
  if (a.status < 300 || a.status >= 400) return undefined;
  const location = Array.isArray(a.headers.location) ? a.headers.location[0] : a.headers.location;
  if (location === undefined) return undefined;
  try {
    const url = new URL(location);
    return `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/** True when `r` is a failure rather than an answer. */
export function isFailure(r: HttpAnswer | HttpFailure): r is HttpFailure {
  return (r as HttpFailure).reason !== undefined;
}

/**
 * The body as text, up to {@link MAX_ANSWER_BYTES}; past that the stream is destroyed (its
 * connection closed), so a huge answer costs 64 KiB and no time.
 */
async function readCapped(body: Dispatcher.ResponseData["body"]): Promise<{ text: string; truncated: boolean }> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > MAX_ANSWER_BYTES) {
      parts.push(chunk.subarray(0, MAX_ANSWER_BYTES - size));
      body.destroy();
      return { text: Buffer.concat(parts).toString("utf8"), truncated: true };
    }
    parts.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(parts, size).toString("utf8"), truncated: false };
}

/** An undici-backed client; `insecure` turns certificate verification off. */
export async function httpClient(options: { insecure: boolean }): Promise<HttpClient> {
  const { Agent, request } = await import("undici");
  const agent: Dispatcher = new Agent({
    connect: { rejectUnauthorized: !options.insecure },
    keepAliveTimeout: 4_000,
    connections: 8,
  });
  return {
    async post(url, headers, body, timeoutMs, signal) {
      try {
        const res = await request(url, {
          method: "POST",
          headers,
          body,
          dispatcher: agent,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal:
            signal === undefined
              ? AbortSignal.timeout(timeoutMs)
              : AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]),
        });
        const { text, truncated } = await readCapped(res.body);
        return { status: res.statusCode, headers: res.headers, body: text, ...(truncated ? { truncated } : {}) };
      } catch (err) {
        if (signal?.aborted) return { fatal: true, reason: "interrupted" };
        return classifyNetworkError(err, timeoutMs);
      }
    },
    async close() {
      await agent.close().catch(() => agent.destroy());
    },
  };
}
