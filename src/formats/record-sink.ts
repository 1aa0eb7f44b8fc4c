/**
 * Where record splitters deliver their records: the engine that parses them.
 */

/** Receives the records a splitter finds, in input order. */
export interface RecordSink {
  /** One complete record's bytes (valid only during the call unless copied), starting at input byte `offset`. */
  record(bytes: Uint8Array, offset: number): void;
  /** A damaged record, starting at input byte `offset`, was skipped. */
  malformed(offset: number): void;
  /** A record longer than MAX_RECORD_BYTES, starting at byte `offset` of the input, was skipped. */
  oversized(offset: number): void;
}
