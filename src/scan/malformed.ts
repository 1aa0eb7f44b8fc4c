/**
 * Malformed records, per input: a record that does not parse is skipped, but never silently.
 * Each input's count and the byte offsets of its first malformed records travel from the
 * engines (ScanStats) through the pool's task results into the scan result, merged by input
 * (the shards of one file add up), so the summary can name the inputs and `--verbose` each record.
 */

/**
 * Malformed records skipped in one input.
 *
 * @example
 * ```ts
 * const { malformed } = await scan(["logs/"]);
 * for (const m of malformed) console.error(`${m.input}: ${m.count} malformed record(s) skipped`);
 * ```
 */
export interface MalformedInput {
  /** The input as the user would name it (path, `-`, `archive:member`). */
  input: string;
  /** Records skipped. */
  count: number;
  /**
   * Byte offsets (in the input's text, after decompression or UTF-16 transcoding) of the first
   * {@link MAX_MALFORMED_OFFSETS} of them, ascending; fewer when the engine did not say.
   */
  offsets: number[];
}

/** How many offsets are kept per input (ScanStats.malformedOffsets holds as many per scan). */
export const MAX_MALFORMED_OFFSETS = 100;

const indexes = new WeakMap<MalformedInput[], Map<string, MalformedInput>>();

/** Adds `count` malformed records of `input` (with their offsets) into `list`, merging by input. */
export function addMalformed(
  list: MalformedInput[],
  input: string,
  count: number,
  offsets: readonly number[] = [],
): void {
  if (count <= 0) return;
  let index = indexes.get(list);
  if (index === undefined) {
    index = new Map(list.map((m) => [m.input, m]));
    indexes.set(list, index);
  }
  const have = index.get(input);
  if (have === undefined) {
    const entry = { input, count, offsets: offsets.slice(0, MAX_MALFORMED_OFFSETS) };
    list.push(entry);
    index.set(input, entry);
    return;
  }
  have.count += count;
  if (offsets.length > 0) {
    have.offsets = [...have.offsets, ...offsets].sort((a, b) => a - b).slice(0, MAX_MALFORMED_OFFSETS);
  }
}

/** Total malformed records in `list`. */
export function malformedTotal(list: readonly MalformedInput[]): number {
  let total = 0;
  for (const m of list) total += m.count;
  return total;
}
