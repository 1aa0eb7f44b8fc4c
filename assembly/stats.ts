/**
 * Counters the TypeScript side folds into ScanStats: records confirmation looked at in full,
 * and malformed records among the segments it walked, with where the first ones began (for
 * `--verbose`: the TypeScript side turns addresses into input offsets after every call).
 */

let examined: i32 = 0;
let malformed: i32 = 0;

/** Addresses of malformed records since the last {@link clearMalformedLog}; -1 = began before the caller's memory. */
const LOG_CAPACITY: i32 = 128;
const MALFORMED_LOG = memory.data(LOG_CAPACITY * 4, 4);
let logged: i32 = 0;

/** One record was parsed for confirmation. */
export function recordExamined(): void {
  examined++;
}

/** One record, starting at address `at` (-1: before the caller's memory), was malformed (skipped, as the reference engine skips it). */
export function recordMalformed(at: isize): void {
  malformed++;
  if (logged < LOG_CAPACITY) {
    store<i32>(MALFORMED_LOG + ((<usize>logged) << 2), <i32>at);
    logged++;
  }
}

/** Malformed records logged since the last {@link clearMalformedLog} (at most 128). */
export function malformedLogged(): i32 {
  return logged;
}

/** Address of logged malformed record `i`, or -1. */
export function malformedLogAt(i: i32): isize {
  return <isize>load<i32>(MALFORMED_LOG + ((<usize>i) << 2));
}

/** Empties the log (the caller has read it). */
export function clearMalformedLog(): void {
  logged = 0;
}

/** Records examined since the last {@link resetStats}. */
export function statsExamined(): i32 {
  return examined;
}

/** Malformed records since the last {@link resetStats}. */
export function statsMalformed(): i32 {
  return malformed;
}

/** Zeroes the counters and the log. */
export function resetStats(): void {
  examined = 0;
  malformed = 0;
  logged = 0;
}
