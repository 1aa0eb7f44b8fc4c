/**
 * Objects behind http(s) URLs, read with undici: a first ranged GET learns the size, the ETag,
 * whether the server honours `Range`, and the first bytes (for format detection); later reads
 * are ranged GETs with `If-Match: <etag>` (or `If-Unmodified-Since`, from a server without
 * ETags), so an object replaced mid-scan is reported, never mixed. Every range is retried on connection resets, transfers cut short and 429/5xx answers,
 * with exponential backoff and full jitter, resuming from the last byte received; 403/404/412
 * fail at once. Byte counts are checked against Content-Range and Content-Length. URLs in
 * messages never carry their query string (see redact.ts): presigned URLs are used as they are.
 */

import { Agent, type Dispatcher, interceptors } from "undici";
import { describeError, ScanError, UNTRUSTED_CERTIFICATE_CODES } from "../errors.js";
import type { ByteSource, SourceRef } from "./byte-source.js";
import { redactText, redactUrl } from "./redact.js";

/** Attempts per range before it is a problem (the first try and four retries). */
export const MAX_ATTEMPTS = 5;
/** Backoff before retry n is random in [0, min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2^(n-1))). */
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 3000;
/**
 * Bytes a failed try must have brought to count as progress (and start the count of tries
 * again): a server that drops every connection after a few bytes would otherwise be tried
 * once per few bytes, thousands of times a shard.
 */
const MIN_PROGRESS_BYTES = 64 * 1024;
/**
 * Longest time spent waiting on the server for {@link MIN_PROGRESS_BYTES} (or the rest of the
 * answer): undici's body timeout ends a transfer that goes silent, but not one that trickles
 * (a byte every few seconds, an overloaded server or proxy), which would hold a range for days.
 * Only time waiting for the server counts, not time the reader takes.
 */
export const STALL_MS = 60_000;
/** Statuses worth another try: throttling and the transient server errors. */
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

/** What the first request learned about an object. */
export interface HttpProbe {
  /** The object's size, when known (always with ranges). */
  size: number | undefined;
  /**
   * The version read: the strong ETag, when the server gave one (weak ETags cannot be used
   * with If-Match); else `last-modified <HTTP-date>` when it gave a Last-Modified date.
   */
  etag: string | undefined;
  /** True when the server answered the ranged GET with 206: shards and zips can be read in place. */
  ranges: boolean;
  /** With ranges: the first bytes (up to what was asked). */
  head: Uint8Array;
  /** Without ranges: the whole object, from the first byte (read once). */
  body?: AsyncIterable<Uint8Array> | undefined;
}

let dispatcher: Dispatcher | undefined;

/** One agent per thread: keep-alive connections, redirects followed (a few). */
function agent(): Dispatcher {
  dispatcher ??= new Agent({ connections: 16, bodyTimeout: 60_000, headersTimeout: 60_000 }).compose(
    interceptors.redirect({ maxRedirections: 5 }),
  );
  return dispatcher;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits before retry `failures` (1 = the first retry), honouring a short Retry-After. */
function backoff(failures: number, retryAfter?: string | string[] | undefined): Promise<void> {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
  let wait = Math.random() * ceiling;
  const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  if (Number.isFinite(seconds) && seconds > 0) wait = Math.max(wait, Math.min(BACKOFF_CAP_MS, seconds * 1000));
  return sleep(wait);
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A strong ETag, or undefined (weak ones, `W/"..."`, never match If-Match). */
function strongEtag(value: string | undefined): string | undefined {
  return value !== undefined && !value.startsWith("W/") ? value : undefined;
}

/** How a Last-Modified date is kept where an ETag would be (see {@link HttpProbe.etag}). */
const LAST_MODIFIED = "last-modified ";

/**
 * What names this version of the object: its strong ETag, else its Last-Modified date (a
 * server without ETags still says when the object changed), else nothing.
 */
function versionOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const tag = strongEtag(header(headers, "etag"));
  if (tag !== undefined) return tag;
  const date = header(headers, "last-modified");
  return date !== undefined && !Number.isNaN(Date.parse(date)) ? `${LAST_MODIFIED}${date}` : undefined;
}

/** The request headers that ask for exactly `version` (412 otherwise). */
function versionCondition(version: string | undefined): Record<string, string> {
  if (version === undefined) return {};
  return version.startsWith(LAST_MODIFIED)
    ? { "if-unmodified-since": version.slice(LAST_MODIFIED.length) }
    : { "if-match": version };
}

/** How an answer shows another version than `planned` (a server ignoring the condition), or undefined. */
function otherVersion(
  planned: string | undefined,
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  if (planned === undefined) return undefined;
  if (planned.startsWith(LAST_MODIFIED)) {
    const was = planned.slice(LAST_MODIFIED.length);
    const now = header(headers, "last-modified");
    return now !== undefined && now !== was ? `Last-Modified ${was} when planned, ${now} now` : undefined;
  }
  const now = strongEtag(header(headers, "etag"));
  return now !== undefined && now !== planned ? `ETag ${planned} when planned, ${now} now` : undefined;
}

/** `bytes a-b/total` parsed; total is undefined for `*`. */
function contentRange(
  value: string | undefined,
): { first: number; last: number; total: number | undefined } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? "");
  if (m === null) return undefined;
  return { first: Number(m[1]), last: Number(m[2]), total: m[3] === "*" ? undefined : Number(m[3]) };
}

/** Why a request or a body failed, in one line without the URL's secrets. */
function networkReason(err: unknown): string {
  const code = (err as { code?: string }).code;
  const text = redactText(describeError(err));
  return code !== undefined && !text.includes(code) ? `${text} (${code})` : text;
}

/** For a certificate the server's TLS cannot be trusted with, the problem to throw at once (no retries). */
function certificateProblem(err: unknown, name: string, what: string): ScanError | undefined {
  const code = (err as { code?: string } | undefined)?.code;
  if (code === undefined || !UNTRUSTED_CERTIFICATE_CODES.has(code)) return undefined;
  return new ScanError(
    "LDS_E_INPUT_UNREADABLE",
    `${what}: TLS certificate not trusted (${code}); NODE_EXTRA_CA_CERTS=ca.pem adds a private CA`,
    name,
    { cause: err },
  );
}

/** A status that ends the read at once, as the error to throw (undefined: retry or go on). */
function fatalStatus(status: number, name: string, what: string, version?: string): ScanError | undefined {
  if (status === 404 || status === 410)
    return new ScanError("LDS_E_INPUT_MISSING", `HTTP ${status}: no such object`, name);
  if (status === 401 || status === 403) {
    return new ScanError(
      "LDS_E_INPUT_UNREADABLE",
      `HTTP ${status}: access denied (credentials or expired signature?)`,
      name,
    );
  }
  if (status === 412) {
    return new ScanError(
      "LDS_E_INPUT_UNREADABLE",
      `${what}: the object changed while being scanned (${version?.startsWith(LAST_MODIFIED) ? "modified since it was planned" : "ETag no longer matches"}); records in it may be missed`,
      name,
    );
  }
  if (status === 416) {
    return new ScanError("LDS_E_INPUT_UNREADABLE", `${what}: the object shrank while being scanned`, name);
  }
  if (RETRY_STATUS.has(status)) return undefined;
  if (status >= 300) return new ScanError("LDS_E_INPUT_UNREADABLE", `${what}: HTTP ${status}`, name);
  return undefined;
}

/**
 * The first request: a GET for bytes [0, sniffBytes), retried like any range. A 206 answer
 * means ranges work; a 200 answer is the whole object, handed back as `body` to be streamed.
 */
export async function probeUrl(
  url: string,
  sniffBytes: number,
  name = redactUrl(url),
  stallMs = STALL_MS,
): Promise<HttpProbe> {
  for (let failures = 0; ; ) {
    let response: Dispatcher.ResponseData;
    try {
      response = await agent().request({
        origin: new URL(url).origin,
        path: pathOf(url),
        method: "GET",
        headers: { range: `bytes=0-${sniffBytes - 1}`, ...basicAuth(url) },
      });
    } catch (err) {
      const untrusted = certificateProblem(err, name, `bytes 0-${sniffBytes - 1}`);
      if (untrusted !== undefined) throw untrusted;
      failures++;
      if (failures >= MAX_ATTEMPTS) throw giveUp(name, `bytes 0-${sniffBytes - 1}`, networkReason(err), failures, err);
      await backoff(failures);
      continue;
    }
    const { statusCode: status, headers, body } = response;
    if (status === 416) {
      await body.dump();
      // Range 0-... is unsatisfiable only for an empty object (S3 and MinIO say `bytes */0`,
      // Ceph RGW gives no Content-Range); a 416 naming a larger size is a server's fault.
      const unsatisfied = /^bytes \*\/(\d+)$/.exec(header(headers, "content-range")?.trim() ?? "");
      const total = unsatisfied === null ? 0 : Number(unsatisfied[1]);
      if (total !== 0) {
        throw new ScanError(
          "LDS_E_INPUT_UNREADABLE",
          `bytes 0-${sniffBytes - 1}: HTTP 416 (range not satisfiable) for an object of ${total} bytes; the server cannot be read by range`,
          name,
        );
      }
      return { size: 0, etag: versionOf(headers), ranges: true, head: new Uint8Array(0) };
    }
    const fatal = fatalStatus(status, name, `bytes 0-${sniffBytes - 1}`);
    if (fatal !== undefined) {
      await body.dump();
      throw fatal;
    }
    if (RETRY_STATUS.has(status)) {
      await body.dump();
      failures++;
      if (failures >= MAX_ATTEMPTS) throw giveUp(name, `bytes 0-${sniffBytes - 1}`, `HTTP ${status}`, failures);
      await backoff(failures, headers["retry-after"]);
      continue;
    }
    const etag = versionOf(headers);
    if (status === 200) {
      const length = header(headers, "content-length");
      const size = length === undefined ? undefined : Number(length);
      // destroy() stays reachable: a reader that stops early closes the connection.
      const whole = Object.assign(wholeBody(unstalled(body, stallMs), size, name), { destroy: () => body.destroy() });
      return { size, etag, ranges: false, head: new Uint8Array(0), body: whole };
    }
    // 206: the head, checked against Content-Range.
    const range = contentRange(header(headers, "content-range"));
    // From the first byte, and within the size it names.
    if (range === undefined || range.first !== 0 || range.total === undefined || range.last >= range.total) {
      await body.dump();
      const said = header(headers, "content-range");
      throw new ScanError(
        "LDS_E_INPUT_UNREADABLE",
        `bad Content-Range in answer to bytes 0-${sniffBytes - 1}${said === undefined ? " (none)" : `: ${JSON.stringify(said.slice(0, 80))}`}`,
        name,
      );
    }
    const parts: Buffer[] = [];
    let received = 0;
    try {
      for await (const chunk of unstalled(body, stallMs)) {
        parts.push(chunk);
        received += chunk.length;
      }
    } catch (err) {
      failures++;
      if (failures >= MAX_ATTEMPTS) throw giveUp(name, `bytes 0-${range.last}`, networkReason(err), failures, err);
      await backoff(failures);
      continue;
    }
    if (received !== range.last + 1) {
      failures++;
      const reason = `transfer cut short (${received} of ${range.last + 1} bytes)`;
      if (failures >= MAX_ATTEMPTS) throw giveUp(name, `bytes 0-${range.last}`, reason, failures);
      await backoff(failures);
      continue;
    }
    return { size: range.total, etag, ranges: true, head: Buffer.concat(parts, received) };
  }
}

/**
 * `Authorization: Basic` from the URL's user:password@ (percent-escapes undone), as curl sends
 * it: requests go to the origin and path, which carry no userinfo, so without this header the
 * credentials were dropped and the server answered 401.
 */
function basicAuth(url: string): Record<string, string> {
  const parsed = new URL(url);
  if (parsed.username === "" && parsed.password === "") return {};
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const credentials = `${decode(parsed.username)}:${decode(parsed.password)}`;
  return { authorization: `Basic ${Buffer.from(credentials, "utf8").toString("base64")}` };
}

/**
 * The body of a 200 answer (a server that ignores Range), streamed once. A transfer that breaks
 * cannot be resumed there: the error says so, and how far it came, instead of undici's bare
 * "other side closed".
 */
async function* wholeBody(body: AsyncIterable<Buffer>, size: number | undefined, name: string): AsyncGenerator<Buffer> {
  let received = 0;
  try {
    for await (const chunk of body) {
      received += chunk.length;
      yield chunk;
    }
  } catch (err) {
    const of = size === undefined ? "" : ` of ${size}`;
    throw new ScanError(
      "LDS_E_INPUT_UNREADABLE",
      `transfer cut short after ${received}${of} bytes (${networkReason(err)}); the server does not answer Range requests, so it cannot be resumed`,
      name,
      { cause: err },
    );
  }
}

/** A transfer that brought too little for too long (see {@link STALL_MS}). */
class StalledTransfer extends Error {
  constructor(stallMs: number) {
    const seconds = stallMs >= 10_000 ? String(Math.round(stallMs / 1000)) : (stallMs / 1000).toFixed(1);
    super(`less than 64 KiB in ${seconds} s of waiting (a server trickling bytes)`);
  }
}

/**
 * The chunks of `body`, ended with {@link StalledTransfer} (and the body destroyed) when the
 * time spent waiting for it reaches `stallMs` before another {@link MIN_PROGRESS_BYTES} came.
 */
async function* unstalled(body: Dispatcher.ResponseData["body"], stallMs: number): AsyncGenerator<Buffer> {
  // One timer per transfer, not one per chunk: the loop only notes when it waits (a chunk
  // costs two Date.now() calls), and the timer ends the body when the waits add up.
  let waited = 0;
  let waitingSince: number | undefined;
  let sinceMark = 0;
  let stalled = false;
  const check = setInterval(
    () => {
      const now = Date.now();
      if (waited + (waitingSince === undefined ? 0 : now - waitingSince) < stallMs) return;
      stalled = true;
      body.destroy();
    },
    Math.max(10, Math.min(1_000, stallMs / 8)),
  );
  check.unref(); // a waiting socket keeps the process alive; a reader that stopped does not

  try {
    const chunks = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    for (;;) {
      waitingSince = Date.now();
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (err) {
        if (stalled) throw new StalledTransfer(stallMs);
        throw err;
      }
      if (stalled) throw new StalledTransfer(stallMs);
      waited += Date.now() - waitingSince;
      waitingSince = undefined;
      if (next.done === true) return;
      sinceMark += next.value.length;
      if (sinceMark >= MIN_PROGRESS_BYTES) {
        sinceMark = 0;
        waited = 0;
      }
      yield next.value;
    }
  } finally {
    clearInterval(check);
  }
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

function giveUp(name: string, what: string, reason: string, attempts: number, cause?: unknown): ScanError {
  return new ScanError("LDS_E_INPUT_UNREADABLE", `${what}: ${reason}, gave up after ${attempts} attempts`, name, {
    cause,
  });
}

/** One remote object of known size (and ETag), read by byte ranges. */
export class HttpObject {
  readonly url: string;
  readonly name: string;
  readonly size: number;
  readonly etag: string | undefined;
  /** See {@link STALL_MS} (tests shorten it). */
  readonly stallMs: number;

  constructor(url: string, name: string, size: number, etag: string | undefined, options: { stallMs?: number } = {}) {
    this.url = url;
    this.name = name;
    this.size = size;
    this.etag = etag;
    this.stallMs = options.stallMs ?? STALL_MS;
  }

  /**
   * Bytes [from, to) as they arrive, exactly `to - from` of them: resets, cut transfers and
   * 429/5xx answers are retried from the last byte received (up to {@link MAX_ATTEMPTS} tries in
   * a row without progress); anything else, or running out of tries, throws a ScanError naming
   * the URL (redacted) and the byte range.
   */
  async *range(from: number, to: number): AsyncGenerator<Buffer> {
    let position = from;
    let failures = 0;
    const origin = new URL(this.url).origin;
    const path = pathOf(this.url);
    while (position < to) {
      const what = `bytes ${position}-${to - 1}`;
      const startedAt = position;
      const fail = async (reason: string, err?: unknown, retryAfter?: string | string[]): Promise<void> => {
        failures = position - startedAt >= MIN_PROGRESS_BYTES ? 1 : failures + 1;
        if (failures >= MAX_ATTEMPTS) throw giveUp(this.name, what, reason, failures, err);
        await backoff(failures, retryAfter);
      };
      const headers: Record<string, string> = {
        ...basicAuth(this.url),
        range: `bytes=${position}-${to - 1}`,
        ...versionCondition(this.etag),
      };
      let response: Dispatcher.ResponseData;
      try {
        response = await agent().request({ origin, path, method: "GET", headers });
      } catch (err) {
        const untrusted = certificateProblem(err, this.name, what);
        if (untrusted !== undefined) throw untrusted;
        await fail(networkReason(err), err);
        continue;
      }
      const { statusCode: status, headers: answer, body } = response;
      const fatal = fatalStatus(status, this.name, what, this.etag);
      if (fatal !== undefined) {
        await body.dump();
        throw fatal;
      }
      if (RETRY_STATUS.has(status)) {
        await body.dump();
        await fail(`HTTP ${status}`, undefined, answer["retry-after"]);
        continue;
      }
      if (status !== 206) {
        await body.dump();
        throw new ScanError(
          "LDS_E_INPUT_UNREADABLE",
          `${what}: HTTP ${status} instead of a partial answer (206)`,
          this.name,
        );
      }
      // A server that ignores If-Match (or If-Unmodified-Since) still names what it sent.
      const changed = otherVersion(this.etag, answer);
      if (changed !== undefined) {
        await body.dump();
        throw new ScanError(
          "LDS_E_INPUT_UNREADABLE",
          `${what}: the object changed while being scanned (${changed}); records in it may be missed`,
          this.name,
        );
      }
      const range = contentRange(header(answer, "content-range"));
      const length = header(answer, "content-length");
      if (range === undefined || range.first !== position || range.last >= to || range.last < position) {
        await body.dump();
        throw new ScanError("LDS_E_INPUT_UNREADABLE", `${what}: Content-Range does not match the request`, this.name);
      }
      if (range.total !== undefined && range.total !== this.size) {
        await body.dump();
        throw new ScanError(
          "LDS_E_INPUT_UNREADABLE",
          `${what}: the object changed size while being scanned (${this.size} bytes when planned, ${range.total} now); records in it may be missed`,
          this.name,
        );
      }
      const expected = range.last + 1 - position;
      if (length !== undefined && Number(length) !== expected) {
        await body.dump();
        throw new ScanError(
          "LDS_E_INPUT_UNREADABLE",
          `${what}: Content-Length does not match Content-Range`,
          this.name,
        );
      }
      const end = position + expected;
      try {
        for await (const chunk of unstalled(body, this.stallMs)) {
          if (position + chunk.length > end) {
            throw new ScanError(
              "LDS_E_INPUT_UNREADABLE",
              `${what}: more bytes than Content-Range announced`,
              this.name,
            );
          }
          position += chunk.length;
          yield chunk;
        }
      } catch (err) {
        if (err instanceof ScanError) throw err;
        const got = position - (end - expected);
        const reason =
          err instanceof StalledTransfer
            ? `${err.message}, ${got} of ${expected} bytes came`
            : got > 0
              ? `transfer cut short (${got} of ${expected} bytes: ${networkReason(err)})`
              : networkReason(err);
        await fail(reason, err);
        continue;
      }
      if (position < end) await fail(`transfer cut short (${position - (end - expected)} of ${expected} bytes)`);
      else failures = 0;
    }
  }
}

/**
 * A {@link ByteSource} over an {@link HttpObject}: sequential reads continue one ranged request
 * (the span given to `expect`, or just the bytes asked for); a read elsewhere starts another.
 */
class HttpByteSource implements ByteSource {
  readonly #object: HttpObject;
  #expected: [number, number] | undefined;
  #stream: AsyncGenerator<Buffer> | undefined;
  /** The offset of the stream's next byte (after `#left`). */
  #at = 0;
  #streamEnd = 0;
  #left: Buffer | undefined;

  constructor(object: HttpObject) {
    this.#object = object;
  }

  get name(): string {
    return this.#object.name;
  }

  get size(): number {
    return this.#object.size;
  }

  expect(from: number, to: number): void {
    this.#expected = [from, Math.min(to, this.size)];
  }

  async read(target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const stop = Math.min(this.size, position + length);
    let n = 0;
    while (position + n < stop) {
      const at = position + n;
      if (this.#stream === undefined || this.#at !== at) await this.#open(at, stop);
      if (this.#left === undefined || this.#left.length === 0) {
        const next = await (this.#stream as AsyncGenerator<Buffer>).next();
        if (next.done) {
          this.#stream = undefined;
          continue;
        }
        this.#left = next.value;
      }
      const take = Math.min(this.#left.length, stop - at);
      target.set(this.#left.subarray(0, take), offset + n);
      this.#left = this.#left.subarray(take);
      this.#at += take;
      n += take;
    }
    return n;
  }

  async #open(at: number, stop: number): Promise<void> {
    await this.#drop();
    const expected = this.#expected;
    const to = expected !== undefined && at >= expected[0] && at < expected[1] ? Math.max(expected[1], stop) : stop;
    this.#stream = this.#object.range(at, to);
    this.#at = at;
    this.#streamEnd = to;
  }

  async #drop(): Promise<void> {
    const stream = this.#stream;
    this.#stream = undefined;
    this.#left = undefined;
    if (stream !== undefined && this.#at < this.#streamEnd) await stream.return(undefined);
  }

  async close(): Promise<void> {
    await this.#drop();
  }
}

/** Opens a URL for random reads (probing it first when its size is not known yet). */
export async function openHttpSource(ref: SourceRef): Promise<ByteSource> {
  const name = ref.name ?? redactUrl(ref.path);
  let size = ref.size;
  let etag = ref.etag;
  if (size === undefined) {
    const probe = await probeUrl(ref.path, 1, name);
    if (!probe.ranges || probe.size === undefined) {
      throw new ScanError("LDS_E_UNSUPPORTED", "the server does not answer Range requests", name);
    }
    size = probe.size;
    etag = probe.etag;
  }
  return new HttpByteSource(new HttpObject(ref.path, name, size, etag));
}
