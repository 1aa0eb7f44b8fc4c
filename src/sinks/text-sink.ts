/**
 * Rows as text (sinks/row-format.ts) into a byte destination: what the stdout and file sinks
 * share. Formats that can be written row by row (jsonl, csv) are written on every
 * {@link RowSink.write}; the table and the JSON array need every row first and are written on
 * {@link RowSink.close}.
 */

import { describeError, ScanError } from "../errors.js";
import type { Row } from "../report/row.js";
import { formatCsv, formatRows, type RowFormat } from "./row-format.js";
import type { RowSink, SinkSummary } from "./row-sink.js";

/** Writes text to the destination; rejects with the destination's error. */
export type WriteText = (text: string) => Promise<void>;

/** A RowSink over {@link WriteText}; `finish` runs once after the last text (closes a file). */
export class TextRowSink implements RowSink {
  readonly name: string;
  readonly #format: RowFormat;
  readonly #writeText: WriteText;
  readonly #finish: () => Promise<void>;
  #held: Row[] = [];
  #delivered = 0;
  #undelivered = 0;
  #headerWritten = false;
  #closed = false;
  readonly #tableWidth: number | undefined;

  /**
   * `tableWidth`: the destination is a terminal of that many columns: a table is fitted to it
   * (cells cut with an ellipsis) and CSV cells have their control characters escaped.
   */
  constructor(
    name: string,
    format: RowFormat,
    writeText: WriteText,
    finish: () => Promise<void> = async () => {},
    tableWidth?: number,
  ) {
    this.name = name;
    this.#tableWidth = tableWidth;
    this.#format = format;
    this.#writeText = writeText;
    this.#finish = finish;
  }

  /** Writes jsonl and csv rows at once; holds table and json rows until {@link close}. */
  async write(rows: readonly Row[]): Promise<void> {
    if (this.#closed) throw new ScanError("LDS_E_SINK", `${this.name}: write after close`);
    if (this.#format === "table" || this.#format === "json") {
      this.#held.push(...rows);
      return;
    }
    await this.#send(this.#text(rows), rows.length);
  }

  /** Writes what is held (or an empty table, `[]`, a CSV header) and finishes the destination. */
  async close(): Promise<SinkSummary> {
    if (this.#closed) throw new ScanError("LDS_E_SINK", `${this.name}: closed twice`);
    this.#closed = true;
    let failure: unknown;
    try {
      if (this.#format === "table" || this.#format === "json") {
        const rows = this.#held;
        this.#held = [];
        await this.#send(formatRows(rows, this.#format, this.#tableWidth), rows.length);
      } else if (this.#format === "csv" && !this.#headerWritten) {
        await this.#send(this.#text([]), 0);
      }
    } catch (err) {
      failure = err;
    }
    try {
      await this.#finish();
    } catch (err) {
      // The destination never got the text it was given (a file written on close).
      this.#undelivered += this.#delivered;
      this.#delivered = 0;
      failure ??= this.#sinkError(err);
    }
    if (failure !== undefined) throw failure;
    return { name: this.name, delivered: this.#delivered, undelivered: this.#undelivered };
  }

  #sinkError(err: unknown): ScanError {
    if (err instanceof ScanError) return err;
    return new ScanError("LDS_E_SINK", `${this.name}: cannot write output: ${describeError(err)}`, undefined, {
      cause: err,
    });
  }

  #text(rows: readonly Row[]): string {
    if (this.#format !== "csv") return formatRows(rows, this.#format);
    const text = formatCsv(rows, this.#tableWidth !== undefined);
    if (this.#headerWritten) return text.slice(text.indexOf("\r\n") + 2);
    this.#headerWritten = true;
    return text;
  }

  async #send(text: string, rows: number): Promise<void> {
    try {
      await this.#writeText(text);
      this.#delivered += rows;
    } catch (err) {
      this.#undelivered += rows;
      throw this.#sinkError(err);
    }
  }
}
