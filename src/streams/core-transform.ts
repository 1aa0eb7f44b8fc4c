/**
 * The Node Transform both embedding streams are: bytes pushed into a {@link ScanCore}, what its
 * match handler queued pushed out after each chunk (so Node's backpressure holds: no more input
 * is taken while output waits), a push that throws (bad input kind) ending the stream with that
 * error, and `stats()`/`rows()` read off the core.
 */

import { Transform, type TransformCallback } from "node:stream";
import { type ScanStats, statsSnapshot } from "../engine/engine.js";
import type { ScanCore } from "../engine/scan-core.js";
import { type Row, toRows } from "../report/row.js";

/** A Transform over a ScanCore, with the scan's counters and rows. */
export interface CoreTransform extends Transform {
  stats(): ScanStats;
  rows(): Row[];
}

/** How one stream differs from the other. */
export interface CoreTransformOptions<T> {
  /** Takes (and clears) what the core's match handler queued since the last call. */
  take(): T[];
  /** Emits objects rather than bytes. */
  readableObjectMode?: boolean;
  /** After the core's end(): the last output, if the stream has any of its own. */
  finish?(): T[];
}

/** Builds the Transform around `core`. */
export function coreTransform<T>(core: ScanCore, options: CoreTransformOptions<T>): CoreTransform {
  const flushTo = (stream: Transform, pending: T[]): void => {
    for (const item of pending) stream.push(item);
  };
  const stream = new Transform({
    readableObjectMode: options.readableObjectMode === true,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        core.push(chunk);
      } catch (err) {
        callback(err as Error);
        return;
      }
      flushTo(this, options.take());
      callback();
    },
    flush(callback: TransformCallback) {
      core.end();
      flushTo(this, [...options.take(), ...(options.finish?.() ?? [])]);
      callback();
    },
  }) as CoreTransform;
  stream.stats = () => statsSnapshot(core.stats);
  stream.rows = () => toRows(core.aggregates.entries());
  return stream;
}
