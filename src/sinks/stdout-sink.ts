/**
 * Rows to standard output (or any writable stream). A failed write (a closed pipe, `> /dev/full`)
 * rejects with ScanError LDS_E_SINK naming `stdout`, instead of an unhandled 'error' event.
 */

import type { Writable } from "node:stream";
import type { RowFormat } from "./row-format.js";
import { TextRowSink } from "./text-sink.js";

/** Writes `text` to `stream`, resolving once it is handed to the OS and rejecting with its error. */
export function writeToStream(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const onError = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    stream.once("error", onError);
    stream.write(text, (err) => {
      stream.removeListener("error", onError);
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    });
  });
}

/** A sink that writes rows in `format` to `stream` (default process.stdout), named `stdout`. */
export function createStdoutSink(format: RowFormat, stream: Writable = process.stdout): TextRowSink {
  return new TextRowSink("stdout", format, (text) => writeToStream(stream, text));
}
