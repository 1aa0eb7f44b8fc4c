/**
 * Counters the TypeScript side folds into ScanStats: records confirmation looked at in full,
 * and malformed records among the segments it walked.
 */

let examined: i32 = 0;
let malformed: i32 = 0;

/** One record was parsed for confirmation. */
export function recordExamined(): void {
  examined++;
}

/** One record was malformed (skipped, as the reference engine skips it). */
export function recordMalformed(): void {
  malformed++;
}

/** Records examined since the last {@link resetStats}. */
export function statsExamined(): i32 {
  return examined;
}

/** Malformed records since the last {@link resetStats}. */
export function statsMalformed(): i32 {
  return malformed;
}

/** Zeroes the counters. */
export function resetStats(): void {
  examined = 0;
  malformed = 0;
}
