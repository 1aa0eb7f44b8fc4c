/**
 * Per-group aggregates: Splunk's `stats count min(_time) max(_time) by Computer,
 * object_category, process_name, TargetFilename`.
 *
 * Merging is associative and commutative (count adds, min/max of plain-string-comparable
 * normalized times), so shards, workers and files can be combined in any order and the rows
 * come out the same. Aggregates cross thread boundaries as plain arrays ({@link AggregateEntry}).
 */

import { type MatchedEvent, RULE } from "../rule/rule.js";

/**
 * One group's totals, in a form that survives structured clone.
 *
 * @example
 * ```ts
 * const entries: AggregateEntry[] = aggregates.entries(); // plain data: survives postMessage
 * ```
 */
export interface AggregateEntry {
  dest: string;
  objectCategory: string;
  processName: string;
  targetFilename: string;
  carved: boolean;
  count: number;
  /** Smallest normalized time, "" when no event of the group had one. */
  first: string;
  /** Largest normalized time, "" when no event of the group had one. */
  last: string;
}

function keyOf(
  e: Pick<AggregateEntry, "dest" | "objectCategory" | "processName" | "targetFilename" | "carved">,
): string {
  return `${e.dest}\u0000${e.objectCategory}\u0000${e.processName}\u0000${e.targetFilename}\u0000${e.carved ? 1 : 0}`;
}

/**
 * Mutable map of group → totals.
 *
 * @example
 * ```ts
 * const aggregates = new Aggregates();
 * for (const hit of scanBytes(data).hits) aggregates.add(hit);
 * const rows = toRows(aggregates.entries());
 * ```
 */
export class Aggregates {
  readonly #groups = new Map<string, AggregateEntry>();

  /** Number of groups (future rows before suppression). */
  get size(): number {
    return this.#groups.size;
  }

  /** Counts one matched event. */
  add(event: MatchedEvent): void {
    this.addEntry({
      dest: event.dest,
      objectCategory: RULE.objectCategory,
      processName: event.processName,
      targetFilename: event.targetFilename,
      carved: event.carved === true,
      count: 1,
      first: event.time,
      last: event.time,
    });
  }

  /** Merges one group's totals (from another shard or worker). */
  addEntry(entry: AggregateEntry): void {
    const key = keyOf(entry);
    const have = this.#groups.get(key);
    if (have === undefined) {
      this.#groups.set(key, { ...entry });
      return;
    }
    have.count += entry.count;
    have.first = minTime(have.first, entry.first);
    have.last = maxTime(have.last, entry.last);
  }

  /** Merges every group of `other` into this one. */
  merge(other: Aggregates | readonly AggregateEntry[]): this {
    const entries = other instanceof Aggregates ? other.entries() : other;
    for (const e of entries) this.addEntry(e);
    return this;
  }

  /** A snapshot of the groups, safe to post to another thread. */
  entries(): AggregateEntry[] {
    return [...this.#groups.values()].map((e) => ({ ...e }));
  }
}

function minTime(a: string, b: string): string {
  if (a === "") return b;
  if (b === "") return a;
  return b < a ? b : a;
}

function maxTime(a: string, b: string): string {
  return b > a ? b : a;
}
