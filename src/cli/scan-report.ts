/**
 * What the scan command says on stderr about what it did not read: malformed records (counted
 * per input for the summary line, each named with `--verbose`) and files skipped in folders and
 * archives (each named with its reason with `--verbose`). Kept apart from the command so the
 * wording has one home.
 */

import { type MalformedInput, malformedTotal } from "../scan/malformed.js";

/** How many inputs the summary names when several had malformed records. */
const WORST_NAMED = 3;

function records(n: number): string {
  return `${n} malformed record${n === 1 ? "" : "s"}`;
}

/**
 * The summary line's part about malformed records, or undefined when there were none:
 * "3 malformed records skipped in x.json", or with several inputs the total and the worst few
 * ("12 malformed records skipped in 4 inputs, most in a.json (5), b.json (4), c.json (2)").
 */
export function malformedSummary(list: readonly MalformedInput[]): string | undefined {
  const first = list[0];
  if (first === undefined) return undefined;
  if (list.length === 1) return `${records(first.count)} skipped in ${first.input}`;
  const worst = [...list]
    .sort((a, b) => b.count - a.count)
    .slice(0, WORST_NAMED)
    .map((m) => `${m.input} (${m.count})`);
  return `${records(malformedTotal(list))} skipped in ${list.length} inputs, most in ${worst.join(", ")}`;
}

/** `--verbose`: one line per malformed record (input and byte offset), then the ones beyond the offsets kept. */
export function malformedLines(list: readonly MalformedInput[]): string[] {
  const lines: string[] = [];
  for (const m of list) {
    for (const offset of m.offsets) lines.push(`${m.input}: malformed record at byte ${offset} skipped`);
    const rest = m.count - m.offsets.length;
    if (rest > 0 && m.offsets.length > 0)
      lines.push(
        `${m.input}: ${rest} more malformed record${rest === 1 ? "" : "s"} skipped (offsets of the first ${m.offsets.length} are listed)`,
      );
    else if (rest > 0) lines.push(`${m.input}: ${records(rest)} skipped (offsets not known)`);
  }
  return lines;
}

/** `--verbose`: one line per file skipped while walking folders or archives, with why. */
export function skippedLines(skipped: readonly { name: string; reason: string }[]): string[] {
  return skipped.map((s) => `skipped ${s.name}: ${s.reason}`);
}

/**
 * The summary's word on what was skipped: `3 skipped (not a log format we read)`, or `(already
 * scanned)` for files and folders reached twice (named twice, or again through a link), or both.
 */
export function skippedSummary(skipped: readonly { reason: string }[]): string {
  const again = skipped.filter((s) => s.reason.endsWith(", already scanned")).length;
  const why =
    again === 0
      ? "not a log format we read"
      : again === skipped.length
        ? "already scanned"
        : `${skipped.length - again} not a log format we read, ${again} already scanned`;
  return `${skipped.length} skipped (${why})`;
}
