/**
 * Where a matched event's record lies in the bytes an engine was given, for callers that
 * forward or store the exact record (the embedding API's hits, the pre-filter stream, the
 * CLI's `--events` timeline). Engines pass it as the second argument of a MatchHandler.
 */

/** The record behind one matched event. */
export interface MatchLocation {
  /** Byte offset of the record's first byte in the input (decompressed bytes for gzip). */
  offset: number;
  /** The record's length in bytes. */
  length: number;
  /** EVTX only: the record's EventRecordID. */
  recordId?: number | undefined;
  /**
   * The record's bytes, valid only during the call (a view into the engine's memory): copy
   * what you keep. Text formats only; absent for a record followed without being held.
   */
  bytes?: Uint8Array | undefined;
  /** EVTX only: the whole 64 KiB chunk holding the record, valid only during the call. */
  chunk?: Uint8Array | undefined;
}
