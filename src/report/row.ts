/**
 * The rule's output rows: field order, ctime formatting, RBA message and sort order, as
 * ../shared/design/detection.md ("What one row says") fixes them.
 */

import { RULE, ruleMessage } from "../rule/rule.js";
import { ctime } from "../rule/time.js";
import type { AggregateEntry } from "./aggregate.js";

/**
 * One alert row. Key order here is the key order of `--format jsonl`.
 *
 * @example
 * ```ts
 * for (const row of (await scan(["logs/"])).rows) console.log(row.dest, row.TargetFilename, row.count, row.firstTime);
 * ```
 */
export interface Row {
  dest: string;
  object_category: string;
  process_name: string;
  TargetFilename: string;
  count: number;
  /** Earliest event time (ctime, UTC), or null when no event of the row had a usable time. */
  firstTime: string | null;
  /** Latest event time (ctime, UTC), or null when no event of the row had a usable time. */
  lastTime: string | null;
  risk_score: number;
  message: string;
  rule_id: string;
  rule_name: string;
  mitre_attack: string[];
  /** Present (true) only on rows made of records carved from EVTX slack (--carve). */
  carved?: true;
}

/** Turns one aggregate group into its row. */
export function toRow(e: AggregateEntry): Row {
  const row: Row = {
    dest: e.dest,
    object_category: e.objectCategory,
    process_name: e.processName,
    TargetFilename: e.targetFilename,
    count: e.count,
    firstTime: e.first === "" ? null : ctime(e.first),
    lastTime: e.last === "" ? null : ctime(e.last),
    risk_score: RULE.riskScore,
    message: ruleMessage(e.processName, e.dest, e.targetFilename),
    rule_id: RULE.id,
    rule_name: RULE.name,
    mitre_attack: [...RULE.mitreAttack],
  };
  if (e.carved) row.carved = true;
  return row;
}

/**
 * Compares by Unicode code point (the order of the UTF-8 bytes), as the contract asks. Plain
 * `<` compares UTF-16 code units, which puts an astral character (a surrogate pair, 0xD800..)
 * before U+E000..U+FFFF; code points put it after them.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only where a surrogate meets a unit of U+E000..U+FFFF do the two orders differ.
    if (x >= 0xd800 && y >= 0xd800) return surrogateLast(x) - surrogateLast(y);
    return x - y;
  }
  return a.length - b.length;
}

/** A code unit of 0xD800.. keyed so surrogates sort after U+E000..U+FFFF. */
function surrogateLast(unit: number): number {
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

function compare(a: string, b: string): number {
  const c = compareCodePoints(a, b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/**
 * Sorts rows by dest, object_category, process_name, TargetFilename (Unicode code point order); live rows before carved ones.
 *
 * @example
 * ```ts
 * rows.sort(compareRows);
 * ```
 */
export function compareRows(a: Row, b: Row): number {
  return (
    compare(a.dest, b.dest) ||
    compare(a.object_category, b.object_category) ||
    compare(a.process_name, b.process_name) ||
    compare(a.TargetFilename, b.TargetFilename) ||
    (a.carved ? 1 : 0) - (b.carved ? 1 : 0)
  );
}

/**
 * All groups as sorted rows.
 *
 * @example
 * ```ts
 * const rows: Row[] = toRows(aggregates.entries());
 * ```
 */
export function toRows(entries: readonly AggregateEntry[]): Row[] {
  return entries.map(toRow).sort(compareRows);
}
