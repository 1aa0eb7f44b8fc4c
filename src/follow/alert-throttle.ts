/**
 * Follow mode's alerting: a group (dest, object_category, process_name, TargetFilename) raises
 * one alert on its first event, then only updates its row until the throttle has passed since
 * its last alert (Splunk's alert throttling by fields). The alert id is a hash of the group and
 * the first event's time, so an alert raised again after a crash carries the same id and is
 * dropped here (and by any receiver) instead of being sent twice.
 */

import { createHash } from "node:crypto";
import type { Hit } from "../engine/hit.js";
import { type AggregateEntry, Aggregates } from "../report/aggregate.js";
import { type Row, toRow } from "../report/row.js";
import { RULE } from "../rule/rule.js";
import type { Alert } from "../sinks/alert-id.js";

/** Default throttle: 24 hours. */
export const DEFAULT_THROTTLE_MS = 24 * 3_600_000;

/** What the state file keeps per group. */
export interface GroupState {
  /** The group's totals so far (count, first and last event time). */
  entry: AggregateEntry;
  /** Wall-clock time of the group's last alert (ms since the epoch). */
  lastAlertMs: number;
  /** The id of the group's last alert. */
  lastAlertId: string;
}

/** The group key of an event: the rule's `by` fields (and whether it was carved). */
export function groupKey(hit: Pick<Hit, "dest" | "processName" | "targetFilename" | "carved">): string {
  return [hit.dest, RULE.objectCategory, hit.processName, hit.targetFilename, hit.carved === true ? "1" : "0"].join(
    "\u0000",
  );
}

/** alert_id: lowercase hex SHA-256 of the rule id, the group key and the first event's time. */
export function followAlertId(key: string, firstTime: string): string {
  return createHash("sha256").update(`${RULE.id}\n${key}\n${firstTime}`).digest("hex");
}

/**
 * Groups and their throttle. `offer(hit)` returns the alert to raise, or undefined when the
 * group is within its throttle (the row is updated all the same).
 *
 * @example
 * ```ts
 * const throttle = new AlertThrottle(DEFAULT_THROTTLE_MS);
 * const alert = throttle.offer(hit, Date.now());
 * if (alert !== undefined) console.log(JSON.stringify(alert));
 * ```
 */
export class AlertThrottle {
  readonly #throttleMs: number;
  readonly #groups = new Map<string, GroupState>();

  constructor(throttleMs: number, saved: Record<string, GroupState> = {}) {
    this.#throttleMs = throttleMs;
    for (const [key, state] of Object.entries(saved)) this.#groups.set(key, state);
  }

  /** Counts one event; returns the alert it raises, if any. */
  offer(hit: Hit, nowMs: number): Alert | undefined {
    const key = groupKey(hit);
    const one = new Aggregates();
    one.add(hit);
    const single = one.entries()[0] as AggregateEntry;
    const have = this.#groups.get(key);
    if (have === undefined) {
      const id = followAlertId(key, hit.time);
      this.#groups.set(key, { entry: single, lastAlertMs: nowMs, lastAlertId: id });
      return { ...toRow(single), alert_id: id };
    }
    const merged = new Aggregates();
    merged.addEntry(have.entry);
    merged.addEntry(single);
    have.entry = merged.entries()[0] as AggregateEntry;
    if (nowMs - have.lastAlertMs < this.#throttleMs) return undefined;
    const id = followAlertId(key, hit.time);
    // The same id again (the same first event, raised again after a restart): already alerted.
    if (id === have.lastAlertId) return undefined;
    have.lastAlertMs = nowMs;
    have.lastAlertId = id;
    return { ...toRow(have.entry), alert_id: id };
  }

  /** Current rows of every group (for the summary). */
  rows(): Row[] {
    return [...this.#groups.values()].map((g) => toRow(g.entry));
  }

  /** The groups, for the state file. */
  snapshot(): Record<string, GroupState> {
    return Object.fromEntries([...this.#groups].map(([k, v]) => [k, { ...v, entry: { ...v.entry } }]));
  }
}
