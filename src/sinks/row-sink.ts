/**
 * The sink contract (ripgrep's Sink, for rows): where a scan's rows go once they are known.
 * stdout, a file, Splunk HEC and webhooks all implement it, so the CLI and the library hand
 * rows to sinks the same way and a sink's failure is reported the same way.
 *
 * Lifecycle: {@link RowSink.write} zero or more times (once per scan for a batch scan; once
 * per new alert in follow mode), then {@link RowSink.close} exactly once. A sink that cannot
 * take rows at all (a closed pipe, a full disk, a rejected token) rejects with a
 * {@link import("../errors.js").ScanError} of code `LDS_E_SINK` whose message is one line naming
 * the sink; it never throws anything else for a failure of its destination.
 */

import type { Row } from "../report/row.js";

/**
 * What a sink did with the rows it was given, reported by {@link RowSink.close}.
 *
 * @example
 * ```ts
 * const summary: SinkSummary = await sink.close();
 * if (summary.undelivered > 0) process.exitCode = 2;
 * ```
 */
export interface SinkSummary {
  /** The sink, as a user would name it (`stdout`, `alerts.jsonl`, `https://splunk:8088`). */
  name: string;
  /** Rows the destination has taken for sure (written, acknowledged). */
  delivered: number;
  /**
   * Rows not delivered (spooled for later, dead-lettered, lost with a failed write). Non-zero
   * means the run's exit status must say something was missed.
   */
  undelivered: number;
  /** One line for stderr on what happened (counts, where a spool is), when there is more to say. */
  detail?: string | undefined;
  /** Network sinks: rows the destination answered "taken" for (HEC `{"code":0}`, a webhook's 2xx). */
  sent?: number | undefined;
  /** HEC with indexer acknowledgment: rows the indexers confirmed (these are the delivered ones). */
  acked?: number | undefined;
  /** Network sinks: rows left in the spool for `deliver`. */
  spooled?: number | undefined;
  /** Network sinks: rows the destination refused as bad data, kept in the spool's dead-letter file. */
  deadLettered?: number | undefined;
}

/**
 * A destination for rows.
 *
 * @example
 * ```ts
 * const sink: RowSink = createStdoutSink("table");
 * await sink.write(rows);
 * console.error((await sink.close()).detail ?? "");
 * ```
 */
export interface RowSink {
  /** The sink, as a user would name it. */
  readonly name: string;
  /**
   * Takes rows, in order. Resolves once the sink has taken responsibility for them (written,
   * or queued durably); rejects with ScanError `LDS_E_SINK` when it cannot take them at all.
   */
  write(rows: readonly Row[]): Promise<void>;
  /** Flushes, releases what the sink holds and says what became of the rows. Called once. */
  close(): Promise<SinkSummary>;
}
