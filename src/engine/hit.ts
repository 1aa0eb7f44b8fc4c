/**
 * What the embedding API reports for each matched event: the event, and where its record is,
 * so a pipeline can forward or store the exact record.
 */

import type { MatchedEvent } from "../rule/rule.js";
import type { MatchLocation } from "./match-location.js";

/**
 * One matched event and its record's byte range in the stream pushed so far.
 *
 * @example
 * ```ts
 * for (const hit of scanBytes(bytes).hits) {
 *   const record = bytes.subarray(hit.offset, hit.offset + hit.length); // the exact record
 *   store(hit.dest, hit.time, record);
 * }
 * ```
 */
export interface Hit extends MatchedEvent {
  /**
   * Byte offset of the record's first byte in the input (for gzip input: in the decompressed
   * bytes). Text: the record from its `<Event` or `{`; EVTX: the record header (`2a 2a 00 00`).
   */
  offset: number;
  /** The record's length in bytes. */
  length: number;
  /** EVTX only: the record's EventRecordID. */
  recordId?: number;
}

/**
 * A matched event found by `scan()` over paths: a {@link Hit} and the input it is in.
 *
 * @example
 * ```ts
 * await scan(["triage/"], {
 *   onHit: (hit: InputHit) => console.log(hit.input, hit.member ?? "", hit.recordId ?? hit.offset, hit.time),
 * });
 * ```
 */
export interface InputHit extends Hit {
  /** The input as named on the command line or found in a directory (a path, or `-`). */
  input: string;
  /** For an archive member: its path inside the archive (nested members joined with `:`). */
  member?: string;
}

/** A hit from an engine's match and location. */
export function hitOf(event: MatchedEvent, at: MatchLocation): Hit {
  const hit: Hit = { ...event, offset: at.offset, length: at.length };
  if (at.recordId !== undefined) hit.recordId = at.recordId;
  return hit;
}
