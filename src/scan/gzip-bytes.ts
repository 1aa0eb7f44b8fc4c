/**
 * The decompressed content of a gzip stream, as a stream: node:zlib's Gunzip fed with back-pressure
 * from a {@link PeekableBytes}, so a `.gz` of any size is scanned in constant memory. Several
 * gzip members back to back (what `cat a.gz b.gz` makes) read as one stream, as `gzip -d` does.
 */

import { createGunzip } from "node:zlib";
import { describeError } from "../errors.js";
import { FaultMapper, type FaultOrigin, mapErrors } from "./byte-fault.js";
import { PeekableBytes } from "./peekable-bytes.js";

/** A running gunzip: its output, and how to stop it. */
export interface GunzipStream {
  /** The decompressed bytes; read errors are faults of `origin` (or of the input's layer). */
  readonly bytes: PeekableBytes;
  /** Stops decompressing (idempotent); the input is left where it is, for the parent to skip. */
  destroy(): void;
}

/**
 * Starts decompressing `input` (which begins with the gzip magic). `name` is the gzip's name as
 * the user knows it, for messages ("x.json.gz: unexpected end of file (truncated gzip)").
 */
export function gunzip(input: PeekableBytes, name: string, origin: FaultOrigin): GunzipStream {
  const inflater = createGunzip();
  // Errors reach the reader through the async iterator; this keeps an error that comes while
  // nobody is iterating from crashing the process.
  inflater.on("error", () => {});
  const faults = new FaultMapper(origin, (err) => ({
    code: "LDS_E_CORRUPT_ARCHIVE",
    input: name,
    reason: gzipReason(err),
  }));
  void input.pipeTo(inflater, (err) => faults.inputFailed(err));
  return {
    bytes: new PeekableBytes(mapErrors(inflater, (err) => faults.fault(err))),
    destroy: () => inflater.destroy(),
  };
}

/** One line on why zlib gave up. */
export function gzipReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const message = describeError(err);
  if (code === "Z_BUF_ERROR" || message === "unexpected end of file") return "unexpected end of file (truncated gzip)";
  if (code === "Z_DATA_ERROR") return `corrupt gzip data (${message})`;
  return `cannot decompress gzip (${message})`;
}
