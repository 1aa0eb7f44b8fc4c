/**
 * Rows to standard output (or any writable stream). A failed write (a closed pipe, `> /dev/full`)
 * rejects with ScanError LDS_E_SINK naming `stdout`, instead of an unhandled 'error' event.
 */

import type { Writable } from "node:stream";
import type { RowFormat } from "./row-format.js";
import { TextRowSink } from "./text-sink.js";

/**
 * Writes `text` to `stream`, resolving once it is handed to the OS and rejecting with its
 * error. The stream reports a failed write twice, to the callback and then (a tick later) as an
 * 'error' event; the sink keeps a listener for the event (see {@link createStdoutSink}), so
 * the event never becomes an uncaught exception.
 */
export function writeToStream(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

const guarded = new WeakSet<Writable>();

/**
 * A sink that writes rows in `format` to `stream` (default process.stdout), named `stdout`. On
 * a terminal the table is fitted to its width (80 columns when it does not say).
 */
export function createStdoutSink(format: RowFormat, stream: Writable = process.stdout): TextRowSink {
  const tty = stream as Partial<Pick<NodeJS.WriteStream, "isTTY" | "columns">>;
  const tableWidth = tty.isTTY === true ? tty.columns || 80 : undefined;
  if (!guarded.has(stream)) {
    guarded.add(stream);
    // The write callback carries the error to the sink, which reports it once.
    stream.on("error", () => {});
  }
  return new TextRowSink("stdout", format, (text) => writeToStream(stream, text), undefined, tableWidth);
}
