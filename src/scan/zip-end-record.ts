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

/** A yauzl reader over a file descriptor, with positioned reads; closing it closes the descriptor. */
export class FileRangeReader extends yauzl.RandomAccessReader {
  constructor(private readonly fd: number) {
    super();
  }

  /**
   * Positioned reads of [start, end). Not fs.createReadStream: destroying one closes its
   * descriptor even with autoClose off, and yauzl destroys a member's stream it is done with.
   */
  override _readStreamForRange(start: number, end: number): Readable {
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

  override close(callback: (err: Error | null) => void): void {
    closeFd(this.fd, (err) => callback(err));
  }

  /** A {@link ReadAt} over the same descriptor. */
  readonly readAt: ReadAt = async (position, length) => {
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await readFile(this.fd, buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  };
}

/** A yauzl reader over a buffer. */
export class BufferRangeReader extends yauzl.RandomAccessReader {
  constructor(private readonly buffer: Buffer) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from([this.buffer.subarray(start, end)], { objectMode: false });
  }

  /** A {@link ReadAt} over the same buffer. */
  readonly readAt: ReadAt = async (position, length) => this.buffer.subarray(position, position + length);
}
