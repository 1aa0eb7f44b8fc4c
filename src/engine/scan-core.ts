/**
 * The push-driven searcher behind the embedding API (createScanner, scanBytes, the streams):
 * bytes arrive in pieces of any size, even one byte, and every matched event is reported once,
 * with where its record is in the pushed (decompressed) stream.
 *
 * Layers, in order: gzip is recognized from the first two bytes and inflated synchronously
 * (scan/push-gunzip.ts); UTF-16 text (a byte order mark, as Windows PowerShell 5.1's
 * `Out-File` writes) is transcoded to UTF-8 as it comes (TextDecoder, which the browser has
 * too), so offsets are in its UTF-8 text as in the CLI; the format is sniffed from the first bytes as the CLI does
 * (formats/format-sniffer.ts) unless forced; then text goes through the CLI's own TextSearcher
 * (one matcher instance, its 4 MiB region, the same record bounds) and EVTX through 64 KiB
 * chunks gathered in the prefilter's region (evtx-push.ts). Damage never throws: it lands in
 * the stats' problems and the scan goes on, as in the CLI.
 */

import { ScanError } from "../errors.js";
import { evtxChunksStart } from "../formats/evtx/layout.js";
import { isGzipHead, sniffLogFormat } from "../formats/format-sniffer.js";
import { FORMAT_NAMES, type LogFormat, SNIFF_BYTES, utf16BomOf } from "../formats/log-format.js";
import { concatBytes } from "../platform/bytes.js";
import { Aggregates } from "../report/aggregate.js";
import type { MatchedEvent } from "../rule/rule.js";
import { archiveKindOf } from "../scan/archive-kind.js";
import { whyNotALog } from "../scan/not-a-log.js";
import { PushGunzip } from "../scan/push-gunzip.js";
import { InstancePool } from "../wasm/instance-pool.js";
import { Matcher } from "../wasm/matcher.js";
import { loadMatcherModule } from "../wasm/module.js";
import { emptyStats, type ScanStats } from "./engine.js";
import { EvtxPushScanner } from "./evtx-push.js";
import type { MatchLocation } from "./match-location.js";
import type { ResolvedScannerOptions } from "./scanner-options.js";
import { TextSearcher } from "./text-searcher.js";

/** Input region of a scanner's matcher: the CLI's block size (see wasm-engine.ts DEFAULT_BLOCK_BYTES). */
const BLOCK_BYTES = 4 * 1024 * 1024;
/** Bytes the EVTX backend needs before it can start: the magic. */
const EVTX_MAGIC_BYTES = 8;

/** Matcher instances of finished scanners (wasm/instance-pool.ts). */
const matchers = new InstancePool<Matcher>();

/** Receives each matched event with its record's location (views in it are valid during the call only). */
export type CoreHitHandler = (event: MatchedEvent, at: MatchLocation) => void;

/** Where a scan core is. */
type Backend =
  | { kind: "text"; searcher: TextSearcher; release(): void }
  | { kind: "evtx"; evtx: EvtxPushScanner; release(): void }
  | { kind: "none" };

/** One input, pushed. Synchronous and single-use; see the module comment. */
export class ScanCore {
  readonly stats: ScanStats = emptyStats();
  readonly aggregates = new Aggregates();
  readonly #options: ResolvedScannerOptions;
  readonly #onHit: CoreHitHandler;
  /** The first raw bytes, until gzip is ruled in or out. */
  #rawHead: Uint8Array | undefined = new Uint8Array(0);
  #gunzip: PushGunzip | undefined;
  /** The first decompressed bytes, until a UTF-16 byte order mark is ruled in or out. */
  #bomHead: Uint8Array | undefined = new Uint8Array(0);
  /** UTF-16 input: its decoder (the text goes on as UTF-8). */
  #utf16: InstanceType<typeof TextDecoder> | undefined;
  /** Decompressed bytes held until the format is known (at most SNIFF_BYTES and a piece). */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #lastSniff = 0;
  #format: LogFormat | undefined;
  #backend: Backend | undefined;
  #ended = false;

  constructor(options: ResolvedScannerOptions, onHit: CoreHitHandler) {
    this.#options = options;
    this.#onHit = onHit;
  }

  /** The input's format once known (forced or detected); undefined before, and for unknown input. */
  get format(): LogFormat | undefined {
    return this.#format;
  }

  /** True when the input was gzip. */
  get gzip(): boolean {
    return this.#gunzip !== undefined;
  }

  /** The EVTX backend, once the input is known to be EVTX. */
  get evtx(): EvtxPushScanner | undefined {
    return this.#backend?.kind === "evtx" ? this.#backend.evtx : undefined;
  }

  /** True once {@link end} ran. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Takes the next bytes. The caller may reuse `chunk` afterwards. With `live`, flushes after. */
  push(chunk: Uint8Array): void {
    if (this.#ended) throw new ScanError("LDS_E_USAGE", "push() after end(): a scanner reads one input");
    if (!(chunk instanceof Uint8Array)) throw new ScanError("LDS_E_USAGE", "push() takes a Uint8Array (or Buffer)");
    if (chunk.length === 0) return;
    this.#take(chunk);
    if (this.#options.live && this.#backend?.kind === "text") this.#backend.searcher.flush();
  }

  #take(chunk: Uint8Array): void {
    if (this.#rawHead !== undefined) {
      // The first piece is used as it is (a scanBytes of 1 GB makes no copy of it).
      const head = this.#rawHead.length === 0 ? chunk : concat([this.#rawHead, chunk]);
      if (head.length < 2 && head[0] === 0x1f) {
        this.#rawHead = head;
        return;
      }
      this.#rawHead = undefined;
      this.#startRaw(head);
      return;
    }
    if (this.#gunzip !== undefined) this.#gunzip.push(chunk);
    else this.#decoded(chunk, true);
  }

  /**
   * Scans the complete records taken so far without waiting for a full block (text; EVTX is
   * scanned per 64 KiB chunk anyway). Bytes of a record not yet complete, and a head too short
   * to tell the format, wait for more.
   */
  flush(): void {
    if (this.#ended) throw new ScanError("LDS_E_USAGE", "flush() after end(): a scanner reads one input");
    if (this.#backend?.kind === "text") this.#backend.searcher.flush();
  }

  /** Ends the input: flushes the last record; stats and aggregates are final afterwards. */
  end(): void {
    if (this.#ended) return;
    if (this.#rawHead !== undefined) {
      const head = this.#rawHead;
      this.#rawHead = undefined;
      if (head.length > 0) this.#startRaw(head);
    }
    if (this.#gunzip !== undefined) {
      this.#gunzip.end();
      const failure = this.#gunzip.failure;
      if (failure !== undefined) this.stats.problems.push(`gzip: ${failure}`);
    }
    if (this.#bomHead !== undefined && this.#bomHead.length > 0) this.#text(this.#bomHead, false);
    this.#bomHead = undefined;
    if (this.#utf16 !== undefined) this.#text(utf8Of(this.#utf16.decode()), false);
    if (this.#backend === undefined && this.#pendingBytes > 0) this.#decide(this.#pending, true);
    const backend = this.#backend;
    if (backend?.kind === "text") backend.searcher.finish();
    else if (backend?.kind === "evtx") backend.evtx.end();
    this.#ended = true;
    if (backend !== undefined && backend.kind !== "none") backend.release();
  }

  /** First raw bytes (at least two, or the whole input): gzip or not. */
  #startRaw(head: Uint8Array): void {
    if (isGzipHead(head)) {
      this.#gunzip = new PushGunzip((bytes) => this.#decoded(bytes, true));
      this.#gunzip.push(head);
    } else {
      this.#decoded(head, true);
    }
  }

  /** Decompressed bytes; `borrowed`: the caller owns the array (copy before keeping it). */
  #decoded(bytes: Uint8Array, borrowed: boolean): void {
    if (this.#bomHead !== undefined) {
      if (bytes.length === 0) return;
      const head = this.#bomHead.length === 0 ? bytes : concat([this.#bomHead, bytes]);
      const evtx = this.#options.format === "evtx";
      if (head.length < 2 && (head[0] === 0xff || head[0] === 0xfe) && !evtx) {
        this.#bomHead = head.slice();
        return;
      }
      this.#bomHead = undefined;
      const encoding = evtx ? undefined : utf16BomOf(head);
      if (encoding !== undefined) this.#utf16 = new TextDecoder(encoding);
      borrowed &&= head === bytes;
      bytes = head;
    }
    if (this.#utf16 === undefined) this.#text(bytes, borrowed);
    else if (bytes.length > 0) this.#text(utf8Of(this.#utf16.decode(bytes, { stream: true })), false);
  }

  /** Text (UTF-8) or EVTX bytes; `borrowed`: the caller owns the array (copy before keeping it). */
  #text(bytes: Uint8Array, borrowed: boolean): void {
    if (bytes.length === 0) return;
    const backend = this.#backend;
    if (backend !== undefined) {
      if (backend.kind === "text") backend.searcher.push(bytes);
      else if (backend.kind === "evtx") backend.evtx.push(bytes);
      else this.stats.bytes += bytes.length;
      return;
    }
    // Nothing held yet: decide on these bytes where they are when they suffice (no copy).
    if (this.#pendingBytes === 0 && this.#decide([bytes], false)) return;
    this.#pending.push(borrowed ? bytes.slice() : bytes);
    this.#pendingBytes += bytes.length;
    // Sniff again only when the head has grown enough: an early answer saves nothing but time,
    // so re-trying on every byte of a 1-byte-piece stream would be quadratic for nothing.
    const n = this.#pendingBytes;
    if (n >= SNIFF_BYTES || n >= 2 * this.#lastSniff || n - this.#lastSniff >= 4096) this.#decide(this.#pending, false);
  }

  /**
   * Decides the format from the head `parts` (or forced), starts the backend and feeds it the
   * head; false when more bytes are needed (the pending head is then kept in one piece).
   */
  #decide(parts: readonly Uint8Array[], final: boolean): boolean {
    const head = concat(parts);
    this.#lastSniff = Math.max(this.#lastSniff, head.length);
    let format: LogFormat | "unknown" | "more" = this.#options.format ?? sniffLogFormat(head, final);
    if (format === "evtx" && head.length < EVTX_MAGIC_BYTES && !final) format = "more";
    if (format === "more") {
      if (parts === this.#pending) this.#pending = [head];
      return false;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    if (format === "evtx" && evtxChunksStart(head) === undefined) {
      this.stats.problems.push("not an EVTX file (no ElfFile or ElfChnk magic)");
      format = "unknown";
    } else if (format === "unknown") {
      this.stats.problems.push(unknownFormatProblem(head));
    }
    this.#backend = this.#makeBackend(format, head);
    this.#text(head, false);
    return true;
  }

  #makeBackend(format: LogFormat | "unknown", head: Uint8Array): Backend {
    if (format === "unknown") return { kind: "none" };
    this.#format = format;
    const module = this.#options.wasmModule ?? loadMatcherModule();
    const onMatch = (event: MatchedEvent, at?: MatchLocation): void => {
      this.aggregates.add(event);
      // Both backends always say where (text-searcher.ts, scan-chunk.ts).
      this.#onHit(event, at ?? { offset: 0, length: 0 });
    };
    if (format === "evtx") {
      const evtx = new EvtxPushScanner(
        module,
        head,
        this.stats,
        onMatch,
        this.#options.carve,
        this.#options.evtxFirstChunk,
      );
      return { kind: "evtx", evtx, release: () => evtx.release() };
    }
    // The region never holds more than the limit, so every longer record takes the followed
    // path (text-searcher.ts) and is reported, as the option promises.
    const size = Math.min(BLOCK_BYTES, this.#options.maxRecordBytes);
    const matcher = matchers.acquire(module, size, () => new Matcher(module, size));
    const searcher = new TextSearcher(matcher, format, onMatch, this.stats, true, 0, this.#options.maxRecordBytes);
    return { kind: "text", searcher, release: () => matchers.release(module, size, matcher) };
  }
}

/**
 * The problem line for input of no format we read: what it looks like (an archive, which this
 * API does not open, or an image, CSV text...; scan/not-a-log.ts) and what to do.
 */
function unknownFormatProblem(head: Uint8Array): string {
  const kind = archiveKindOf(head);
  if (kind !== undefined) {
    const what = kind === "zip" || kind === "tar" || kind === "7z" ? `a ${kind} archive` : `${kind}-compressed data`;
    return `unknown format: ${what} (this API reads one log, plain or gzip: unpack it, or give its path to scan())`;
  }
  return `unknown format: ${whyNotALog(head)}; not ${Object.values(FORMAT_NAMES).join(", ")} (force one with the format option)`;
}

const utf8 = new TextEncoder();

/** UTF-8 bytes of decoded UTF-16 text (the decoder dropped the byte order mark; lone surrogates are U+FFFD). */
function utf8Of(text: string): Uint8Array {
  return utf8.encode(text);
}

/** The bytes of `parts` in one array (the only part itself when there is one). */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(parts);
}
