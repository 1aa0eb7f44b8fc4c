/**
 * Finding where a zip really ends. yauzl insists that the end-of-central-directory record's
 * comment runs exactly to the end of the file, so a zip with one stray byte after it (19 of the
 * 160 OTRF Security-Datasets zips end with a `0x0a`) is "invalid comment length" and not read.
 * Info-ZIP's `unzip`, Python's zipfile and 7-Zip search backwards for the record and ignore what
 * follows it; so do we, and then show yauzl a file that ends where the record (and its comment)
 * ends, through a random-access reader of our own.
 */

import { close as closeFd, read as readFd } from "node:fs";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import yauzl from "yauzl";

const readFile = promisify(readFd);

/** `PK\5\6`, little-endian. */
const END_SIGNATURE = 0x06054b50;
/** The end record without its comment. */
const END_RECORD_BYTES = 22;
/** Bytes read per step of the backwards search (with an overlap of one record). */
const SEARCH_BLOCK = 64 * 1024;
/** Bytes per read of a member's data: the same 256 KiB as other archives are read with (inputs.ts). */
const RANGE_READ = 256 * 1024;

/** Reads `length` bytes at `position` (fewer only at the end of the data). */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

/**
 * The offset just past the zip's end record and its comment, found by searching backwards from
 * the end of the data as Info-ZIP does: the last `PK\5\6` whose comment fits in the data and whose
 * central directory (unless zip64) lies before it. Undefined when there is none (not a zip, or
 * cut short before its end); the caller then lets yauzl say what is wrong. The search reads at
 * most the whole file, and only the last block for a zip with nothing after it.
 */
export async function findZipEnd(readAt: ReadAt, size: number): Promise<number | undefined> {
  let blockEnd = size;
  while (blockEnd > 0) {
    const blockStart = Math.max(0, blockEnd - SEARCH_BLOCK);
    // Read past the block by a record's length, so that a record across two blocks is seen whole.
    const readEnd = Math.min(size, blockEnd + END_RECORD_BYTES - 1);
    const block = await readAt(blockStart, readEnd - blockStart);
    const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
    for (let i = Math.min(blockEnd - blockStart, block.length - END_RECORD_BYTES); i >= 0; i--) {
      if (view.getUint32(i, true) !== END_SIGNATURE) continue;
      const at = blockStart + i;
      const recordEnd = at + END_RECORD_BYTES + view.getUint16(i + 20, true);
      if (recordEnd > size) continue;
      const directorySize = view.getUint32(i + 12, true);
      const directoryOffset = view.getUint32(i + 16, true);
      const zip64 = directorySize === 0xffffffff || directoryOffset === 0xffffffff;
      if (!zip64 && directoryOffset + directorySize > at) continue;
      return recordEnd;
    }
    blockEnd = blockStart;
  }
  return undefined;
}

/**
 * Bytes a small read brings in at once and keeps: yauzl reads a zip's directory one entry at a
 * time (two reads of ~50 bytes each) and every member's local header before its data. Read one
 * by one, each of those reads was a trip through libuv's thread pool and a stream of its own,
 * ~0.3 ms a member: a zip of 20,000 small files took 7.5 s against 0.6 s for the same files in
 * a folder. Read 1 MiB at a time, the directory and the headers and data of small members come
 * from memory.
 */
const WINDOW_BYTES = 1024 * 1024;
/** A member's data range up to this size is served from a window; a larger one is streamed. */
const WINDOWED_RANGE_MAX = 256 * 1024;

/**
 * A yauzl reader whose small reads (directory entries, local headers) go through its own
 * {@link ReadAt} at once, not through a stream each (yauzl's default).
 */
abstract class ReadAtReader extends yauzl.RandomAccessReader {
  /** Reads `length` bytes at `position` (fewer only at the end of the data). */
  abstract readonly readAt: ReadAt;

  /** yauzl's `read`: what `readAt` gives, copied; `bytesRead` tells a short one (yauzl: "unexpected EOF"). */
  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null, bytesRead?: number) => void,
  ): void {
    this.readAt(position, length).then(
      (bytes) => {
        buffer.set(bytes, offset);
        callback(null, bytes.length);
      },
      (err: Error) => callback(err),
    );
  }
}

/** A yauzl reader over a file descriptor, with positioned reads; closing it closes the descriptor. */
export class FileRangeReader extends ReadAtReader {
  /** The last two windows read (the directory's and the members' area), newest first. */
  #windows: { start: number; bytes: Buffer }[] = [];

  constructor(private readonly fd: number) {
    super();
  }

  /**
   * Positioned reads of [start, end). Not fs.createReadStream: destroying one closes its
   * descriptor even with autoClose off, and yauzl destroys a member's stream it is done with.
   * A small range comes out of a window in one piece.
   */
  override _readStreamForRange(start: number, end: number): Readable {
    if (end - start <= WINDOWED_RANGE_MAX) {
      const range = (position: number, length: number) => this.#range(position, length);
      return Readable.from(
        (async function* () {
          const bytes = await range(start, end - start);
          if (bytes.length > 0) yield bytes; // fewer only at the end of the file: yauzl reports the short read
        })(),
        { objectMode: false },
      );
    }
    const fd = this.fd;
    let position = start;
    return new Readable({
      highWaterMark: RANGE_READ,
      read() {
        const length = Math.min(RANGE_READ, end - position);
        if (length <= 0) {
          this.push(null);
          return;
        }
        readFd(fd, Buffer.allocUnsafe(length), 0, length, position, (err, bytesRead, buffer) => {
          if (err) {
            this.destroy(err);
            return;
          }
          if (bytesRead === 0) {
            this.push(null); // past the end of the file: yauzl reports the short read
            return;
          }
          position += bytesRead;
          this.push(buffer.subarray(0, bytesRead));
        });
      },
    });
  }

  /** The bytes of [position, position + length), fewer only at the end of the file. */
  async #range(position: number, length: number): Promise<Buffer> {
    for (const w of this.#windows) {
      const at = position - w.start;
      if (at >= 0 && at + length <= w.bytes.length) return w.bytes.subarray(at, at + length);
    }
    if (length > WINDOW_BYTES / 4) {
      const bytes = Buffer.allocUnsafe(length);
      const { bytesRead } = await readFile(this.fd, bytes, 0, length, position);
      return bytes.subarray(0, bytesRead);
    }
    const bytes = Buffer.allocUnsafe(WINDOW_BYTES);
    const { bytesRead } = await readFile(this.fd, bytes, 0, WINDOW_BYTES, position);
    const window = { start: position, bytes: bytes.subarray(0, bytesRead) };
    this.#windows = [window, ...this.#windows.slice(0, 1)];
    return window.bytes.subarray(0, Math.min(length, bytesRead));
  }

  override close(callback: (err: Error | null) => void): void {
    this.#windows = [];
    closeFd(this.fd, (err) => callback(err));
  }

  /** A {@link ReadAt} over the same descriptor (small reads out of a window). */
  override readonly readAt: ReadAt = (position, length) => this.#range(position, length);
}

/** A yauzl reader over a buffer. */
export class BufferRangeReader extends ReadAtReader {
  constructor(private readonly buffer: Buffer) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from([this.buffer.subarray(start, end)], { objectMode: false });
  }

  /** A {@link ReadAt} over the same buffer. */
  override readonly readAt: ReadAt = async (position, length) => this.buffer.subarray(position, position + length);
}
