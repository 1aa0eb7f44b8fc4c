/**
 * The longest record any engine holds in memory. Real Sysmon events are a few KiB (the longest
 * in ../shared/corpus is under 40 KiB); a "record" of 64 MiB is damage (a missing newline, a
 * runaway string). Holding it would let one bad line take memory without bound, so every
 * engine skips such a record and says so once per input: exit status 2, nothing silent.
 */

/** 64 MiB. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The one-line problem for records skipped as too long (count, and where the first began). */
export function oversizedRecordsProblem(count: number, firstOffset: number, maxBytes = MAX_RECORD_BYTES): string {
  const limit = maxBytes % (1024 * 1024) === 0 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes} bytes`;
  return count === 1
    ? `a record longer than ${limit} at byte ${firstOffset} was skipped: its fields cannot be checked`
    : `${count} records longer than ${limit} were skipped (the first at byte ${firstOffset}): their fields cannot be checked`;
}
