/**
 * An alert is a row on its way out of the machine, with an id of its content. The id is the
 * same for the same row in every run, so a receiver (Splunk, a SOAR) can drop a replayed
 * alert: after a crash or a retry we may send an alert twice, never two different ids for it.
 */

import { createHash } from "node:crypto";
import type { Row } from "../report/row.js";

/**
 * A row and its content id, as HEC events and webhook bodies carry it (`alert_id` last).
 *
 * @example
 * ```ts
 * const alert: Alert = { ...row, alert_id: alertId(row) };
 * ```
 */
export type Alert = Row & { alert_id: string };

/**
 * The content id of a row: lowercase hex SHA-256 over the rule id, a line break and the row's
 * JSON (keys in the contract's order, detection.md "What one row says"). Deterministic: no
 * clock, no run id, no host of ours.
 *
 * @example
 * ```ts
 * const seen = new Set(rows.map(alertId)); // a receiver's dedup key
 * ```
 */
export function alertId(row: Row): string {
  return createHash("sha256")
    .update(`${row.rule_id}\n${JSON.stringify(row)}`)
    .digest("hex");
}

/** The row with its `alert_id` added (a copy; the row itself is left alone). */
export function toAlert(row: Row): Alert {
  return { ...row, alert_id: alertId(row) };
}
