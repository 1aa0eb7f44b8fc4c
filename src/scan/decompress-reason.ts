/**
 * What went wrong in an xz, bzip2 or Zstandard stream, in one line, the same from the command
 * line's decompressor (stream-decompress.ts) and the browser page's (web/scan-worker.ts): its own
 * module, free of Node built-ins and of the codecs, so that the page's bundle can take it.
 */

import { describeError } from "../errors.js";

/** The stream compressions read besides gzip (gzip has its own reader, gzip-bytes.ts). */
export type StreamCompression = "xz" | "bzip2" | "zstd";

/** A codec error, tagged with the compression and whether the input had ended. */
export class CodecError extends Error {
  constructor(
    readonly compression: StreamCompression,
    readonly atEnd: boolean,
    cause: unknown,
  ) {
    super(describeError(cause), { cause });
  }
}

const NAMES: Record<StreamCompression, string> = { xz: "xz", bzip2: "bzip2", zstd: "zstd" };

/** One line on why the stream could not be decompressed (`err`: a {@link CodecError} at best). */
export function decompressReason(compression: StreamCompression, err: unknown): string {
  const name = NAMES[compression];
  const message = describeError(err);
  const atEnd = err instanceof CodecError && err.atEnd;
  const truncated = `unexpected end of file (truncated ${name})`;
  if (compression === "xz") {
    // XZ Embedded's codes (xz.h): 8 XZ_BUF_ERROR (no progress: the input ended), 7 XZ_DATA_ERROR,
    // 5 XZ_FORMAT_ERROR, 6 XZ_OPTIONS_ERROR, 2 XZ_UNSUPPORTED_CHECK, 3/4 memory.
    const code = /error code (\d+)/.exec(message)?.[1];
    if (code === "8") return truncated;
    if (code === "7") return "corrupt xz data";
    if (code === "5") return "corrupt xz data (bad stream header or trailing bytes)";
    if (code === "6" || code === "2") return `xz options not supported (${message})`;
    return `cannot decompress xz (${message})`;
  }
  if (compression === "zstd") {
    if (/unexpected EOF/i.test(message)) return truncated;
    if (/invalid zstd data/i.test(message)) return "corrupt zstd data";
    return `cannot decompress zstd (${message})`;
  }
  // unbzip2-stream: "input stream ended prematurely", or a TypeError when its bit reader runs dry.
  if (/ended prematurely/i.test(message) || (atEnd && err.cause instanceof TypeError)) return truncated;
  if (/crc32/i.test(message)) return "corrupt bzip2 data (CRC mismatch)";
  if (/magic/i.test(message)) return "corrupt bzip2 data (bad block or stream header)";
  return `corrupt bzip2 data (${message})`;
}
