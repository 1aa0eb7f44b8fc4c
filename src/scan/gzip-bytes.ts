/**
 * The decompressed content of a gzip stream, as a stream, member by member the way `gzip -d`
 * reads it: node:zlib inflates each member's deflate data (fed with back-pressure from a
 * {@link PeekableBytes}, so a `.gz` of any size is scanned in constant memory), and we read the
 * RFC 1952 headers and trailers around it ourselves. That is what lets us tell what node's
 * Gunzip cannot: several members back to back (`cat a.gz b.gz`) read as one stream; bytes after
 * the last member that are no gzip header (zero padding from tape or disk images, a stray
 * newline) end the stream with a warning, as `gzip -d` says "decompression OK, trailing garbage
 * ignored"; a member cut short is a fault, after the part decoded so far.
 */

import * as zlib from "node:zlib";
import { describeError } from "../errors.js";
import { FaultMapper, type FaultOrigin, mapErrors } from "./byte-fault.js";
import { PeekableBytes } from "./peekable-bytes.js";

/** A running gunzip: its output, and how to stop it. */
export interface GunzipStream {
  /** The decompressed bytes; read errors are faults of `origin` (or of the input's layer). */
  readonly bytes: PeekableBytes;
  /**
   * Set once the last member was read and bytes that are no gzip member followed it: one line
   * for a warning ("decompression OK, trailing garbage ignored (3 bytes)").
   */
  readonly trailing: string | undefined;
  /** Stops decompressing (idempotent); the input is left where it is, for the parent to skip. */
  destroy(): void;
}

const MAGIC_1 = 0x1f;
const MAGIC_2 = 0x8b;
const DEFLATE = 8;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;
/** The fixed part of a member header. */
const HEADER_BYTES = 10;
/** CRC-32 and ISIZE after each member's deflate data. */
const TRAILER_BYTES = 8;

/**
 * Starts decompressing `input` (which begins with the gzip magic). `name` is the gzip's name as
 * the user knows it, for messages ("x.json.gz: unexpected end of file (truncated gzip)").
 */
export function gunzip(input: PeekableBytes, name: string, origin: FaultOrigin): GunzipStream {
  const faults = new FaultMapper(origin, (err) => ({
    code: "LDS_E_CORRUPT_ARCHIVE",
    input: name,
    reason: gzipReason(err),
  }));
  const reader = new PushbackReader(input, (err) => faults.inputFailed(err));
  const state: { trailing: string | undefined; inflater: zlib.InflateRaw | undefined; destroyed: boolean } = {
    trailing: undefined,
    inflater: undefined,
    destroyed: false,
  };
  return {
    bytes: new PeekableBytes(mapErrors(members(reader, state), (err) => faults.fault(err))),
    get trailing() {
      return state.trailing;
    },
    destroy: () => {
      state.destroyed = true;
      state.inflater?.destroy();
    },
  };
}

/** A gzip format error of our own (zlib's carry a `code`). */
class GzipFormatError extends Error {}

/** Every member's content, in order; sets `state.trailing` when garbage follows the last one. */
async function* members(
  reader: PushbackReader,
  state: { trailing: string | undefined; inflater: zlib.InflateRaw | undefined; destroyed: boolean },
): AsyncGenerator<Uint8Array> {
  for (let index = 0; !state.destroyed; index++) {
    const header = await readHeader(reader);
    if (index > 0 && header.kind !== "member") {
      if (header.kind === "end") return;
      if (header.kind === "garbage" || (header.kind === "cut" && !header.magic)) {
        state.trailing = await trailingGarbage(reader);
        return;
      }
    }
    if (header.kind === "cut") throw new GzipFormatError("unexpected end of file");
    if (header.kind !== "member") throw new GzipFormatError(header.kind === "end" ? "empty" : header.reason);
    await reader.skip(header.length);
    let crc = 0;
    let size = 0;
    for await (const out of inflateMember(reader, state)) {
      crc = zlib.crc32 === undefined ? 0 : zlib.crc32(out, crc);
      size += out.length;
      yield out;
    }
    const trailer = await reader.take(TRAILER_BYTES);
    if (trailer.length < TRAILER_BYTES) throw new GzipFormatError("unexpected end of file");
    const view = new DataView(trailer.buffer, trailer.byteOffset, TRAILER_BYTES);
    if (zlib.crc32 !== undefined && view.getUint32(0, true) !== crc >>> 0)
      throw new GzipFormatError("incorrect data check");
    if (view.getUint32(4, true) !== size % 2 ** 32) throw new GzipFormatError("incorrect length check");
  }
}

type HeaderLook =
  | { kind: "member"; length: number }
  /** No byte left. */
  | { kind: "end" }
  /** A header that the data ends inside of; `magic` when it has both magic bytes. */
  | { kind: "cut"; magic: boolean }
  /** Not a gzip member header. */
  | { kind: "garbage"; reason: string };

/** Looks at the next member's header without consuming it. */
async function readHeader(reader: PushbackReader): Promise<HeaderLook> {
  let want = 64;
  for (;;) {
    const head = await reader.peek(want);
    const look = parseHeader(head);
    if (look.kind !== "cut" || head.length < want) return look;
    want *= 4;
  }
}

/** RFC 1952 section 2.3: the header's length, or why there is none. */
function parseHeader(head: Uint8Array): HeaderLook {
  if (head.length === 0) return { kind: "end" };
  if (head[0] !== MAGIC_1 || (head.length > 1 && head[1] !== MAGIC_2)) return { kind: "garbage", reason: "not gzip" };
  if (head.length < HEADER_BYTES) return { kind: "cut", magic: head.length >= 2 };
  const flags = head[3] ?? 0;
  if (head[2] !== DEFLATE) return { kind: "garbage", reason: "unknown compression method" };
  if ((flags & FRESERVED) !== 0) return { kind: "garbage", reason: "reserved header flags set" };
  let at = HEADER_BYTES;
  if (flags & FEXTRA) {
    if (head.length < at + 2) return { kind: "cut", magic: true };
    at += 2 + ((head[at] ?? 0) | ((head[at + 1] ?? 0) << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if ((flags & flag) === 0) continue;
    const zero = head.indexOf(0, at);
    if (zero < 0) return { kind: "cut", magic: true };
    at = zero + 1;
  }
  if (flags & FHCRC) at += 2;
  return at > head.length ? { kind: "cut", magic: true } : { kind: "member", length: at };
}

/** Reads the rest of the input: the warning for bytes after the last member. */
async function trailingGarbage(reader: PushbackReader): Promise<string> {
  let count = 0;
  let zeros = true;
  for (;;) {
    const chunk = await reader.read();
    if (chunk === undefined) break;
    count += chunk.length;
    if (zeros && chunk.some((b) => b !== 0)) zeros = false;
  }
  const what = zeros ? "trailing zero bytes" : "trailing garbage";
  return `decompression OK, ${what} ignored (${count} byte${count === 1 ? "" : "s"} after the last gzip member)`;
}

/**
 * Bytes zlib inflates per call. node:zlib's default (16 KiB) makes every 16 KiB of output a trip
 * through libuv's thread pool: 210 MB inflated in 424-540 ms that way, 157-222 ms with 256 KiB
 * (a stream of 256 KiB pieces, 2-core VM, Node 20.20).
 */
export const INFLATE_CHUNK_BYTES = 256 * 1024;

/**
 * One member's deflate data, inflated by node:zlib with back-pressure. zlib stops taking input
 * at the end of the deflate stream; what it did not take is pushed back for the trailer.
 */
async function* inflateMember(
  reader: PushbackReader,
  state: { inflater: zlib.InflateRaw | undefined },
): AsyncGenerator<Uint8Array> {
  const inflater = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES });
  state.inflater = inflater;
  inflater.on("error", () => {}); // reaches us through the iterator below
  let written = 0;
  /** Chunks written whose bytes zlib may not all have taken; `base` is the offset of the first. */
  const unconsumed: Uint8Array[] = [];
  let base = 0;
  let inputError: unknown;
  const closed = new Promise<void>((resolve) => inflater.once("close", () => resolve()));
  const pump = (async () => {
    for (;;) {
      let chunk: Uint8Array | undefined;
      try {
        chunk = await reader.read();
      } catch (err) {
        inputError = err;
        inflater.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (inflater.destroyed) return;
      if (chunk === undefined) {
        inflater.end();
        return;
      }
      unconsumed.push(chunk);
      written += chunk.length;
      // A write's callback never comes once zlib failed: the stream's closing ends the wait then.
      await Promise.race([new Promise<void>((resolve) => inflater.write(chunk, () => resolve())), closed]);
      while (unconsumed[0] !== undefined && base + unconsumed[0].length <= inflater.bytesWritten) {
        base += unconsumed[0].length;
        unconsumed.shift();
      }
      if (inflater.bytesWritten < written || inflater.destroyed) return; // the deflate stream ended
    }
  })();
  try {
    for await (const out of inflater as AsyncIterable<Buffer>) yield out;
  } catch (err) {
    inflater.destroy();
    await pump;
    throw inputError ?? err;
  }
  await pump;
  if (inputError !== undefined) throw inputError;
  // Give back what zlib did not take (the trailer, the next member).
  const skip = inflater.bytesWritten - base;
  const rest: Uint8Array[] = [];
  let at = 0;
  for (const chunk of unconsumed) {
    if (at + chunk.length > skip) rest.push(chunk.subarray(Math.max(0, skip - at)));
    at += chunk.length;
  }
  reader.unread(rest);
  inflater.destroy();
  state.inflater = undefined;
}

/** A reader over a {@link PeekableBytes} that can take bytes back and read exact lengths. */
class PushbackReader {
  readonly #pending: Uint8Array[] = [];

  constructor(
    private readonly input: PeekableBytes,
    private readonly onInputError: (err: unknown) => void,
  ) {}

  /** The next chunk (taken-back bytes first), or undefined at the end. */
  async read(): Promise<Uint8Array | undefined> {
    const pending = this.#pending.shift();
    if (pending !== undefined) return pending;
    try {
      return await this.input.read();
    } catch (err) {
      this.onInputError(err);
      throw err;
    }
  }

  /** Puts `chunks` back in front, in order. */
  unread(chunks: Uint8Array[]): void {
    this.#pending.unshift(...chunks.filter((c) => c.length > 0));
  }

  /** The next `n` bytes (fewer at the end), consumed. */
  async take(n: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let have = 0;
    while (have < n) {
      const chunk = await this.read();
      if (chunk === undefined) break;
      const used = Math.min(chunk.length, n - have);
      parts.push(chunk.subarray(0, used));
      if (used < chunk.length) this.unread([chunk.subarray(used)]);
      have += used;
    }
    return parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts, have);
  }

  /** The next `n` bytes (fewer at the end), not consumed. */
  async peek(n: number): Promise<Uint8Array> {
    const bytes = await this.take(n);
    this.unread([bytes]);
    return bytes;
  }

  /** Consumes `n` bytes. */
  async skip(n: number): Promise<void> {
    await this.take(n);
  }
}

/** One line on why the gzip could not be read. */
export function gzipReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const message = describeError(err);
  if (code === "Z_BUF_ERROR" || message === "unexpected end of file") return "unexpected end of file (truncated gzip)";
  if (code === "Z_DATA_ERROR") return `corrupt gzip data (${message})`;
  if (err instanceof GzipFormatError) return `corrupt gzip data (${message})`;
  return `cannot decompress gzip (${message})`;
}
