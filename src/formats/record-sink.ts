/**
 * Where record splitters deliver their records: the engine that parses them.
 */

/** Receives the records a splitter finds, in input order. */
export interface RecordSink {
  /** One complete record's bytes (valid only during the call unless copied), starting at input byte `offset`. */
  record(bytes: Uint8Array, offset: number): void;
  /**
   * A damaged record, starting at input byte `offset`, was skipped. `bytes` are its bytes as far
   * as they went (valid only during the call), or `undefined` when they were not kept (junk
   * longer than MAX_RECORD_BYTES); the engine decides whether it counts (match-candidate.ts).
   */
  malformed(offset: number, bytes: Uint8Array | undefined): void;
  /** A record longer than MAX_RECORD_BYTES, starting at byte `offset` of the input, was skipped. */
  oversized(offset: number): void;
}
