/**
 * Rows to standard output (or any writable stream). A failed write (a closed pipe, `> /dev/full`)
 * rejects with ScanError LDS_E_SINK naming `stdout`, instead of an unhandled 'error' event.
 */

import type { Writable } from "node:stream";
import type { RowFormat } from "./row-format.js";
import { TextRowSink } from "./text-sink.js";

const guarded = new WeakSet<Writable>();

/** Gives `stream` one 'error' listener for good: a failed write is reported through its callback. */
function guard(stream: Writable): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on("error", () => {});
}

/**
 * Writes `text` to `stream`, resolving once it is handed to the OS and rejecting with its
 * error. The stream reports a failed write twice, to the callback and then (a tick later) as an
 * 'error' event; the stream keeps one listener for the event, so it never becomes an uncaught
 * exception.
 */
export function writeToStream(stream: Writable, text: string): Promise<void> {
  guard(stream);
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

/**
 * A sink that writes rows in `format` to `stream` (default process.stdout), named `stdout`. On
 * a terminal the table is fitted to its width (80 columns when it does not say).
 *
 * @example
 * ```ts
 * const sink = createStdoutSink("jsonl");
 * await sink.write(rows);
 * await sink.close(); // rejects with ScanError LDS_E_SINK on a closed pipe
 * ```
 */
export function createStdoutSink(format: RowFormat, stream: Writable = process.stdout): TextRowSink {
  const tty = stream as Partial<Pick<NodeJS.WriteStream, "isTTY" | "columns">>;
  const tableWidth = tty.isTTY === true ? tty.columns || 80 : undefined;
  // The write callback carries an error to the sink, which reports it once.
  guard(stream);
  return new TextRowSink("stdout", format, (text) => writeToStream(stream, text), undefined, tableWidth);
}
