/**
 * Where record splitters deliver their records: the engine that parses them.
 */

/** Receives the records a splitter finds, in input order. */
export interface RecordSink {
  /** One complete record's bytes (valid only during the call unless copied). */
  record(bytes: Uint8Array): void;
  /** A damaged record was skipped. */
  malformed(): void;
}
