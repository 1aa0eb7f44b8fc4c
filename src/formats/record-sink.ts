/**
 * Where record splitters deliver their records: the engine that parses them.
 */

/** Receives the records a splitter finds, in input order. */
export interface RecordSink {
  /** One complete record's bytes (valid only during the call unless copied). */
  record(bytes: Uint8Array): void;
  /** A damaged record was skipped. */
  malformed(): void;
  /** A record longer than MAX_RECORD_BYTES, starting at byte `offset` of the input, was skipped. */
  oversized(offset: number): void;
}
