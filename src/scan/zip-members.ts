/**
 * The members of a zip, through yauzl: a zip's directory is at its end, so it needs random access
 * (a file on disk, or a small zip in memory when it came out of another archive or stdin). A
 * large member is inflated as a stream, so it never sits in memory; a small one in one call, and
 * the directory and small members are read 1 MiB at a time (zip-end-record.ts), since a trip
 * through the thread pool per header and per chunk made many small members ~12x slower to read
 * than the same files in a folder. Members are independent:
 * a bad member is reported and the next one is read. Bytes after the end record are ignored with
 * a warning, as Info-ZIP does (see zip-end-record.ts).
 */

import { close as closeFd, fstat as fstatFd, open as openFd } from "node:fs";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import yauzl from "yauzl";
import { describeError, ScanError } from "../errors.js";
import { type ByteSource, openByteSource, readFully, type SourceRef, sourceChunks } from "../source/byte-source.js";
import type { ArchiveMember } from "./archive-member.js";
import { ByteFault, FaultMapper, type FaultOrigin } from "./byte-fault.js";
import { INFLATE_CHUNK_BYTES } from "./gzip-bytes.js";
import { PeekableBytes } from "./peekable-bytes.js";
import {
  type ExtractedMember,
  extractedBytes,
  isFirstSplitPart,
  openSevenZipExtractor,
  type SevenZipExtractor,
  sevenZipMembers,
} from "./sevenzip-members.js";
import { BufferRangeReader, FileRangeReader, findZipEnd, type ReadAt } from "./zip-end-record.js";

const openFile = promisify(openFd);
const closeFile = promisify(closeFd);
const statFile = promisify(fstatFd);

/** Options for every zip we open: one entry at a time; names decoded by us (see {@link memberName}). */
const ZIP_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: true,
  decodeStrings: false,
  validateEntrySizes: true,
};

/**
 * One of `of` tasks that share a large zip on disk (pool/plan.ts): this one reads the members
 * whose place in the central directory is `index` modulo `of`, so the members of one zip are
 * inflated on several threads. Stripe 0 alone reports what concerns the whole zip (a corrupt
 * directory, bytes after the end record, a split zip), so each is said once.
 */
export interface ZipStripe {
  index: number;
  of: number;
}

/** Where a zip's bytes are: a file, memory, or a remote object read by ranges (see {@link ByteSourceReader}). */
export type ZipSource = { path: string } | { buffer: Buffer } | { remote: SourceRef & { size: number } };

/**
 * yauzl's random access over a {@link ByteSource} (a remote object): the central directory and
 * local headers are read with ranged reads, each member's data is one ranged stream of its own
 * (its own source, so a stream and a header read never share a connection's cursor).
 */
class ByteSourceReader extends yauzl.RandomAccessReader {
  readonly #ref: SourceRef;
  #source: Promise<ByteSource> | undefined;

  constructor(ref: SourceRef) {
    super();
    this.#ref = ref;
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const ref = this.#ref;
    return Readable.from(
      (async function* () {
        const source = await openByteSource(ref);
        try {
          yield* sourceChunks(source, start, end, 256 * 1024);
        } finally {
          await source.close();
        }
      })(),
    );
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ) {
    this.#source ??= openByteSource(this.#ref);
    this.#source
      .then((source) => readFully(source, buffer.subarray(offset, offset + length), position, length))
      .then(
        () => callback(null),
        (err: Error) => callback(err),
      );
  }

  override close(callback: (err: Error | null) => void): void {
    const source = this.#source;
    this.#source = undefined;
    if (source === undefined) setImmediate(() => callback(null));
    else
      source
        .then((s) => s.close())
        .then(
          () => callback(null),
          () => callback(null),
        );
  }
}

/**
 * Yields the members of the zip at `source`, in the order of its central directory, named as
 * stored. Directories are left out; encrypted members and unsupported compression come as
 * problems. A member's bytes must be read before the next call to `next()` (its stream is closed
 * then). Throws a fault of `origin` when the zip itself is unreadable or corrupt; a member whose
 * data is corrupt fails only its own reads (a fault of that member's `origin`). The file is closed
 * when the generator ends, early or not.
 */
export async function* zipMembers(
  source: ZipSource,
  name: string,
  origin: FaultOrigin,
  stripe?: ZipStripe,
): AsyncGenerator<ArchiveMember> {
  /** Whether this task speaks for the whole zip (see {@link ZipStripe}). */
  const wholeZip = stripe === undefined || stripe.index === 0;
  let opened: OpenZip;
  try {
    opened = await openZip(source, name, origin);
  } catch (err) {
    if (!wholeZip) return;
    if (!("path" in source) || !isFirstSplitPart(source.path)) throw err;
    // A split zip's first part (x.zip.001 as 7-Zip cuts it, x.z01 as zip -s does): its central
    // directory is in the last part. 7-Zip reads the parts next to it as one archive.
    yield* sevenZipMembers(source.path, name, origin);
    return;
  }
  const { zip, trailing, reader, readAt } = opened;
  // Closing the file happens when the last stream is done; wait for it, so no descriptor outlives us.
  const fileClosed = "path" in source ? readerClosed(zip) : undefined;
  zip.on("error", () => {}); // errors reach us through eachEntry(); a late one must not crash the process
  const entries = zip.eachEntry();
  let open: NodeJS.ReadableStream | undefined;
  let sevenZip: SevenZipExtractor | undefined;
  let index = -1;
  try {
    for (;;) {
      let next: IteratorResult<yauzl.Entry>;
      try {
        next = await entries.next();
      } catch (err) {
        if (!wholeZip) return;
        throw new ByteFault(origin, "LDS_E_CORRUPT_ARCHIVE", name, zipReason(err), err);
      }
      index++;
      if (stripe !== undefined && !next.done && index % stripe.of !== stripe.index) continue;
      if (next.done) {
        if (trailing > 0 && wholeZip) {
          const bytes = trailing === 1 ? "1 byte" : `${trailing} bytes`;
          yield { kind: "warning", message: `${bytes} after the zip's end record ignored (every member was read)` };
        }
        return;
      }
      const entry = next.value;
      const member = memberName(entry);
      if (member.endsWith("/")) continue;
      const unreadable = unreadableReason(entry);
      if (unreadable === SEVEN_ZIP) {
        sevenZip ??= await openSevenZipExtractor();
        yield* sevenZipMember(sevenZip, zip, name, member, entry);
        continue;
      }
      if (unreadable !== undefined) {
        const input = `${name}:${member}`;
        yield {
          kind: "problem",
          name: member,
          error: new ScanError("LDS_E_UNSUPPORTED", `${input}: ${unreadable}`, input),
        };
        continue;
      }
      if (isSmallMember(entry)) {
        let data: Buffer;
        try {
          data = await smallMemberBytes(zip, reader, readAt, entry);
        } catch (err) {
          yield corruptMember(name, member, err);
          continue;
        }
        yield memberData(name, member, entry, data.length > 0 ? [data] : []);
        continue;
      }
      let stream: NodeJS.ReadableStream;
      try {
        // Deflated members are inflated here, in larger pieces than yauzl's zlib stream takes.
        stream = await zip.openReadStreamPromise(entry, entry.compressionMethod === 8 ? { decodeFileData: false } : {});
      } catch (err) {
        yield corruptMember(name, member, err);
        continue;
      }
      open = stream;
      const inflated = entry.compressionMethod === 8 ? inflatedMember(stream, entry.uncompressedSize) : stream;
      yield memberData(name, member, entry, inflated);
      destroyStream(stream);
      open = undefined;
    }
  } finally {
    if (open !== undefined) destroyStream(open);
    await entries.return?.();
    zip.close();
    await fileClosed;
    await sevenZip?.close();
  }
}

/** A member that could not be opened or unpacked: one problem naming it, in zip's words. */
function corruptMember(name: string, member: string, err: unknown): ArchiveMember {
  const input = `${name}:${member}`;
  const error = new ScanError("LDS_E_CORRUPT_ARCHIVE", `${input}: ${zipReason(err)}`, input, { cause: err });
  return { kind: "problem", name: member, error };
}

/** A member's bytes (`chunks`, unpacked), checked against its CRC-32; a failure reading them is the member's own fault. */
function memberData(
  name: string,
  member: string,
  entry: yauzl.Entry,
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
): ArchiveMember {
  const origin = {};
  const faults = new FaultMapper(origin, (err) => ({
    code: "LDS_E_CORRUPT_ARCHIVE",
    input: `${name}:${member}`,
    reason: zipReason(err),
  }));
  const bytes = new PeekableBytes(checkedMemberBytes(chunks, entry.crc32, (err) => faults.fault(err)));
  return { kind: "data", name: member, size: entry.uncompressedSize, bytes, origin };
}

/**
 * A member packed with a method yauzl does not unpack, taken out by 7-Zip: its bytes, or a
 * problem naming the method when 7-Zip cannot unpack it either.
 */
async function* sevenZipMember(
  sevenZip: SevenZipExtractor,
  zip: yauzl.ZipFile,
  name: string,
  member: string,
  entry: yauzl.Entry,
): AsyncGenerator<ArchiveMember> {
  const input = `${name}:${member}`;
  let got: ExtractedMember;
  try {
    const packed = await zip.openReadStreamPromise(entry, { decodeFileData: false });
    got = await sevenZip.extract(packed as AsyncIterable<Uint8Array>, {
      method: entry.compressionMethod,
      flags: entry.generalPurposeBitFlag,
      crc32: entry.crc32,
      compressedSize: entry.compressedSize,
      uncompressedSize: entry.uncompressedSize,
    });
  } catch (err) {
    yield corruptMember(name, member, err);
    return;
  }
  if ("reason" in got) {
    const method = methodName(entry.compressionMethod);
    const [code, message] = got.unsupported
      ? (["LDS_E_UNSUPPORTED", `${method} is not supported (${got.reason})`] as const)
      : (["LDS_E_CORRUPT_ARCHIVE", `${method}: ${got.reason}`] as const);
    yield { kind: "problem", name: member, error: new ScanError(code, `${input}: ${message}`, input) };
    return;
  }
  const origin = {};
  const bytes = new PeekableBytes(extractedBytes(got.file, input, got.error, origin));
  try {
    yield { kind: "data", name: member, size: entry.uncompressedSize, bytes, origin };
  } finally {
    await sevenZip.remove(got.file);
  }
}

/** Positioned reads through a yauzl reader's own `read` (a remote object's ranged reads). */
function readerReadAt(reader: yauzl.RandomAccessReader): ReadAt {
  return (position, length) =>
    new Promise((resolve, reject) => {
      const buffer = Buffer.alloc(length);
      reader.read(buffer, 0, length, position, (err) => (err ? reject(err) : resolve(buffer)));
    });
}

/** An open zip, how many bytes follow its end record (ignored), and positioned reads of its bytes. */
interface OpenZip {
  zip: yauzl.ZipFile;
  trailing: number;
  reader: yauzl.RandomAccessReader;
  readAt: ReadAt;
}

async function openZip(source: ZipSource, name: string, origin: FaultOrigin): Promise<OpenZip> {
  if ("remote" in source) {
    const reader = new ByteSourceReader(source.remote);
    try {
      return await openWithReader(reader, source.remote.size, readerReadAt(reader));
    } catch (err) {
      if (err instanceof ScanError) throw new ByteFault(origin, err.code, name, err.message, err);
      throw new ByteFault(origin, "LDS_E_CORRUPT_ARCHIVE", name, zipReason(err), err);
    }
  }
  if ("buffer" in source) {
    const reader = new BufferRangeReader(source.buffer);
    try {
      return await openWithReader(reader, source.buffer.length, reader.readAt);
    } catch (err) {
      throw new ByteFault(origin, "LDS_E_CORRUPT_ARCHIVE", name, zipReason(err), err);
    }
  }
  // Our own descriptor, so that it is closed before we report a bad zip.
  let fd: number;
  try {
    fd = await openFile(source.path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === "ENOENT" ? "LDS_E_INPUT_MISSING" : "LDS_E_INPUT_UNREADABLE";
    throw new ByteFault(origin, code, name, describeError(err), err);
  }
  try {
    const size = (await statFile(fd)).size;
    const reader = new FileRangeReader(fd);
    return await openWithReader(reader, size, reader.readAt); // from here on, yauzl closes fd
  } catch (err) {
    await closeFile(fd).catch(() => {});
    throw new ByteFault(origin, "LDS_E_CORRUPT_ARCHIVE", name, zipReason(err), err);
  }
}

/** Opens the zip in `reader` as if it ended where its end record ends (found with `readAt`). */
async function openWithReader(reader: yauzl.RandomAccessReader, size: number, readAt: ReadAt): Promise<OpenZip> {
  const end = (await findZipEnd(readAt, size)) ?? size;
  const zip = await yauzl.fromRandomAccessReaderPromise(reader, end, ZIP_OPTIONS);
  return { zip, trailing: size - end, reader, readAt };
}

/** Packed bytes up to which a member is read in one piece (see {@link isSmallMember}). */
const SMALL_PACKED_BYTES = 256 * 1024;
/**
 * Unpacked bytes up to which a deflated member is inflated in one call (under ~0.5 ms of
 * inflating). A larger one is streamed: zlib then inflates on libuv's pool while this thread
 * scans what came before, which a synchronous call on a 1 MiB EVTX file forgoes.
 */
const SMALL_UNPACKED_BYTES = 256 * 1024;

/**
 * True for a stored or deflated member small enough to read in one piece and inflate in one
 * synchronous call. Through yauzl's streams every small member cost a stream pipeline and a
 * zlib stream whose every chunk is a trip through libuv's thread pool: with many small members
 * (a triage zip of text logs) those were most of the time. A large member is still streamed,
 * so it never sits in memory whole.
 */
function isSmallMember(entry: yauzl.Entry): boolean {
  return (
    (entry.compressionMethod === 8 || entry.compressionMethod === 0) &&
    entry.compressedSize <= SMALL_PACKED_BYTES &&
    entry.uncompressedSize <= SMALL_UNPACKED_BYTES
  );
}

/**
 * A small member's bytes (stored or deflated; see {@link isSmallMember}): its local header and
 * packed bytes read with `readAt`, inflated at once, with the size check yauzl makes on the
 * streams it inflates (same messages); never more than one byte past the size the directory
 * gives is inflated. The reader is held open meanwhile (yauzl closes it once its count of
 * users drops to zero, which may happen after the last entry is read).
 */
async function smallMemberBytes(
  zip: yauzl.ZipFile,
  reader: yauzl.RandomAccessReader,
  readAt: ReadAt,
  entry: yauzl.Entry,
): Promise<Buffer> {
  let packed: Uint8Array;
  // yauzl's reference count (not in its types): held while we read, as its own streams do.
  const counted = reader as yauzl.RandomAccessReader & { ref(): void; unref(): void };
  counted.ref();
  try {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
    packed = await readAt(fileDataStart, entry.compressedSize);
  } finally {
    counted.unref();
  }
  if (packed.length < entry.compressedSize) throw new Error("unexpected EOF");
  const view = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  if (entry.compressionMethod === 0) return view;
  const size = entry.uncompressedSize;
  let bytes: Buffer;
  try {
    bytes = zlib.inflateRawSync(view, { maxOutputLength: size + 1 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE") throw err;
    throw new Error(`too many bytes in the stream. expected ${size}. got at least ${size + 1}`);
  }
  if (bytes.length > size)
    throw new Error(`too many bytes in the stream. expected ${size}. got at least ${bytes.length}`);
  if (bytes.length < size)
    throw new Error(`not enough bytes in the stream. expected ${size}. got only ${bytes.length}`);
  return bytes;
}

/**
 * A large deflated member's bytes: its packed stream (yauzl's, raw) inflated in pieces of
 * {@link INFLATE_CHUNK_BYTES} (yauzl's own inflater uses zlib's 16 KiB, a thread-pool trip each:
 * a zip of 400 EVTX files took twice as long), with the size check yauzl makes (same messages).
 */
async function* inflatedMember(packed: NodeJS.ReadableStream, size: number): AsyncGenerator<Uint8Array> {
  const inflater = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES });
  packed.on("error", (err: Error) => inflater.destroy(err));
  packed.pipe(inflater);
  let got = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      got += chunk.length;
      if (got > size) throw new Error(`too many bytes in the stream. expected ${size}. got at least ${got}`);
      yield chunk;
    }
  } finally {
    packed.unpipe(inflater);
    inflater.destroy();
  }
  if (got < size) throw new Error(`not enough bytes in the stream. expected ${size}. got only ${got}`);
}

/**
 * The member's bytes, checked against the CRC-32 in the directory when node:zlib can compute it
 * (Node 20.15+): yauzl checks sizes but not CRCs, and a flipped byte in a stored member is
 * otherwise invisible. It is cheap next to inflating: zlib.crc32 runs at ~4.8 GB/s here, inflate
 * at ~0.5 GB/s (2-core VM, Node 20.20).
 */
async function* checkedMemberBytes(
  stream: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>,
  expectedCrc: number,
  mapError: (err: unknown) => unknown,
): AsyncGenerator<Uint8Array> {
  const crc32 = typeof zlib.crc32 === "function" ? zlib.crc32 : undefined;
  let crc = 0;
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      if (crc32 !== undefined) crc = crc32(bytes, crc);
      yield bytes;
    }
  } catch (err) {
    throw mapError(err);
  }
  if (crc32 !== undefined && crc >>> 0 !== expectedCrc >>> 0) throw mapError(new Error("CRC-32 mismatch"));
}

/** {@link unreadableReason}'s answer for a member 7-Zip is asked to unpack. */
const SEVEN_ZIP = Symbol("7-Zip");

/**
 * Why yauzl cannot read a member: encrypted (a problem), or packed with another method than
 * stored and deflate ({@link SEVEN_ZIP}, for 7-Zip to unpack); undefined when yauzl reads it.
 */
function unreadableReason(entry: yauzl.Entry): string | typeof SEVEN_ZIP | undefined {
  if (entry.isEncrypted()) return "encrypted zip member, not read";
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) return SEVEN_ZIP;
  return undefined;
}

/** The zip compression methods 7-Zip writes or Windows Explorer does (APPNOTE 4.4.5), by number. */
const METHOD_NAMES: ReadonlyMap<number, string> = new Map([
  [9, "Deflate64"],
  [12, "bzip2"],
  [14, "LZMA"],
  [93, "Zstandard"],
  [95, "xz"],
  [98, "PPMd"],
]);

/** `zip compression method 9 (Deflate64)`. */
function methodName(method: number): string {
  const known = METHOD_NAMES.get(method);
  return `zip compression method ${method}${known === undefined ? "" : ` (${known})`}`;
}

/**
 * The member's name: UTF-8 when the zip says so, else CP437, with `\` turned into `/` (yauzl's
 * decoding, without its check for `..` and absolute paths, which matter when extracting, not here).
 */
function memberName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw ?? (entry.fileName as unknown as Buffer);
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
}

/** Resolves when yauzl has closed the zip's file (or failed to). */
function readerClosed(zip: yauzl.ZipFile): Promise<void> {
  const reader = (zip as unknown as { reader: NodeJS.EventEmitter }).reader;
  return new Promise((resolve) => {
    reader.once("close", () => resolve());
    reader.once("error", () => resolve());
  });
}

function destroyStream(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}

/** One line on why yauzl gave up. */
export function zipReason(err: unknown): string {
  if (err instanceof ScanError) return err.message; // a remote read that failed: not the zip's fault
  const full = describeError(err).replace(/\.\s.*$/, "");
  const message = /^[A-Z][a-z]/.test(full) ? full.charAt(0).toLowerCase() + full.slice(1) : full;
  if (/unexpected EOF|overflows file bounds/i.test(message))
    return `unexpected end of file (truncated zip: ${message})`;
  if (/not enough bytes|too many bytes|CRC-32/i.test(message)) return `corrupt zip member (${message})`;
  if ((err as NodeJS.ErrnoException).code === "Z_DATA_ERROR" || (err as NodeJS.ErrnoException).code === "Z_BUF_ERROR") {
    return `corrupt zip member (${message})`;
  }
  return `corrupt zip (${message})`;
}
