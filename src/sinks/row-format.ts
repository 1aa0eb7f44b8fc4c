/**
 * Renders rows as text: an aligned table for people, JSON lines, a JSON array and CSV for
 * machines. Every format carries the same fields (detection.md, "What one row says").
 */

import type { Row } from "../report/row.js";

/**
 * Output formats of `--format`.
 *
 * @example
 * ```ts
 * const format: RowFormat = "jsonl";
 * process.stdout.write(formatRows(rows, format));
 * ```
 */
export type RowFormat = "table" | "jsonl" | "json" | "csv";
/**
 * All output formats.
 *
 * @example
 * ```ts
 * if (!ROW_FORMATS.includes(answer as RowFormat)) throw new Error(`use one of ${ROW_FORMATS.join(", ")}`);
 * ```
 */
export const ROW_FORMATS: readonly RowFormat[] = ["table", "jsonl", "json", "csv"];

/** The columns of CSV, in row key order. */
const CSV_COLUMNS: readonly (keyof Row)[] = [
  "dest",
  "object_category",
  "process_name",
  "TargetFilename",
  "count",
  "firstTime",
  "lastTime",
  "risk_score",
  "message",
  "rule_id",
  "rule_name",
  "mitre_attack",
  "carved",
];

/** The columns a person reads first; the rest (message, rule) are the same on every row. */
/** The columns of the table format, in order (the browser page shows the same). */
export const TABLE_COLUMNS: readonly (keyof Row)[] = [
  "dest",
  "process_name",
  "TargetFilename",
  "count",
  "firstTime",
  "lastTime",
  "risk_score",
];

/** One JSON object a line, keys in row order (byte for byte what EXPECTED.jsonl holds). */
export function formatJsonl(rows: readonly Row[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
}

/** A pretty-printed JSON array. */
export function formatJson(rows: readonly Row[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

function csvCell(value: unknown): string {
  const text = Array.isArray(value) ? value.join(";") : value === undefined || value === null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header line; mitre_attack ids joined with `;`, carved empty or `true`, a null time empty. */
export function formatCsv(rows: readonly Row[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const row of rows) lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** Display width of a string in a terminal (code points; wide CJK counted once, good enough). */
function width(s: string): number {
  return [...s].length;
}

/** An aligned text table with the rule's name on top (a null time shows as `-`); "No alerts." when there are none. */
export function formatTable(rows: readonly Row[]): string {
  if (rows.length === 0) return "No alerts.\n";
  const columns = rows.some((r) => r.carved) ? [...TABLE_COLUMNS, "carved" as const] : TABLE_COLUMNS;
  const cells = rows.map((r) => columns.map((c) => (r[c] === undefined ? "" : r[c] === null ? "-" : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(width(c), ...cells.map((row) => width(row[i] ?? ""))));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v + " ".repeat((widths[i] ?? 0) - width(v)))
      .join("  ")
      .trimEnd();
  const first = rows[0]!;
  const title = `${first.rule_name} (${first.mitre_attack.join(", ")}, risk ${first.risk_score}): ${rows.length} alert${rows.length === 1 ? "" : "s"}`;
  const out = [title, "", line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)];
  return `${out.join("\n")}\n`;
}

/**
 * Renders rows in the given format.
 *
 * @example
 * ```ts
 * process.stdout.write(formatRows(rows, "csv"));
 * ```
 */
export function formatRows(rows: readonly Row[], format: RowFormat): string {
  switch (format) {
    case "jsonl":
      return formatJsonl(rows);
    case "json":
      return formatJson(rows);
    case "csv":
      return formatCsv(rows);
    case "table":
      return formatTable(rows);
  }
}
