/**
 * Renders rows as text: an aligned table for people, JSON lines, a JSON array and CSV for
 * machines. Every format carries the same fields (detection.md, "What one row says").
 */

import type { Row } from "../report/row.js";
import { cutToWidth, fitWidths } from "./table-fit.js";

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

/**
 * Characters JSON.stringify leaves raw that a terminal or an editor acts on: DEL and the C1
 * controls (U+009B is CSI, an escape sequence of its own), Unicode bidirectional controls, and
 * the line and paragraph separators.
 */
const JSON_UNSAFE = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text of `value` (JSON.stringify's, `indent` as its third argument) with the characters
 * it leaves raw that a terminal would act on written as `\uNNNN` escapes: the same value for
 * every JSON reader, and no log value drives the terminal it is printed on.
 *
 * @example
 * ```ts
 * jsonText({ dest: "\u009b2J" }); // '{"dest":"\\u009b2J"}'
 * ```
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_UNSAFE,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, "0")}`,
  );
}

/** One JSON object a line, keys in row order (byte for byte what EXPECTED.jsonl holds). */
export function formatJsonl(rows: readonly Row[]): string {
  return rows.map((r) => `${jsonText(r)}\n`).join("");
}

/** A pretty-printed JSON array. */
export function formatJson(rows: readonly Row[]): string {
  return `${jsonText(rows, 2)}\n`;
}

/**
 * A text cell a spreadsheet would run as a formula (OWASP's CSV injection rule): it starts
 * with `=`, `+`, `-`, `@`, a tab or a carriage return.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180 quoting; arrays joined with `;`, null and undefined empty); a text
 * cell that would start a spreadsheet formula gets a leading `'` (OWASP), numbers never do.
 * `terminal`: the cell is shown on a terminal, so its control characters are escaped as in the
 * table ({@link terminalText}); in a file or a pipe they are kept.
 *
 * @example
 * ```ts
 * csvCell("=cmd|' /C calc'!A0"); // `"'=cmd|' /C calc'!A0"`
 * ```
 */
export function csvCell(value: unknown, terminal = false): string {
  let text = Array.isArray(value) ? value.join(";") : value === undefined || value === null ? "" : String(value);
  if (terminal) text = terminalText(text);
  const isNumber = typeof value === "number";
  // OWASP: prefix a single quote, so the cell is text, and quote it.
  if (!isNumber && FORMULA_START.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  if (/[",\r\n]/.test(text)) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

/**
 * RFC 4180 CSV with a header line; mitre_attack ids joined with `;`, carved empty or `true`, a
 * null time empty. Text cells that would start a spreadsheet formula get a leading `'` (OWASP);
 * with `terminal`, control characters are escaped ({@link csvCell}).
 */
export function formatCsv(rows: readonly Row[], terminal = false): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const row of rows) lines.push(CSV_COLUMNS.map((c) => csvCell(row[c], terminal)).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/**
 * A value as table text that cannot drive the terminal: C0 controls, DEL and C1 controls
 * (ESC, CSI and the rest, so no escape sequence survives) become `\xNN`, with `\t`, `\n`,
 * `\r` for the common ones; Unicode bidirectional controls and the line and paragraph separators
 * (U+2028, U+2029) become `\u{NNNN}`.
 */
export function terminalText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === "\t") return "\\t";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    const code = c.codePointAt(0) as number;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/** Display width of a string in a terminal (code points; wide CJK counted once, good enough). */
function width(s: string): number {
  return [...s].length;
}

/** Table columns a terminal too narrow for the table leaves out first: the title says them (risk; Task Manager). */
const TITLE_COLUMNS: readonly (keyof Row)[] = ["risk_score", "process_name"];
/** Table columns of long free text, narrowed first to fit a terminal. */
const ELASTIC_COLUMNS: readonly (keyof Row)[] = ["dest", "TargetFilename", "process_name"];

/**
 * An aligned text table with the rule's name on top (a null time shows as `-`); "No alerts."
 * when there are none. Values are escaped ({@link terminalText}); with `maxWidth` (a
 * terminal's columns) the widest columns are narrowed and their cells cut with an ellipsis so
 * that every line fits.
 */
export function formatTable(rows: readonly Row[], maxWidth?: number): string {
  if (rows.length === 0) return "No alerts.\n";
  let columns = rows.some((r) => r.carved) ? [...TABLE_COLUMNS, "carved" as const] : TABLE_COLUMNS;
  const cellsOf = () =>
    rows.map((r) => columns.map((c) => (r[c] === undefined ? "" : r[c] === null ? "-" : terminalText(String(r[c])))));
  const widthsOf = (cells: string[][]) =>
    columns.map((c, i) => Math.max(width(c), ...cells.map((row) => width(row[i] ?? ""))));
  let cells = cellsOf();
  let widths = widthsOf(cells);
  if (maxWidth !== undefined) {
    // Too wide for the terminal: first leave out what the title already says, then narrow.
    for (const redundant of TITLE_COLUMNS) {
      if (widths.reduce((sum, w) => sum + w + 2, -2) <= maxWidth) break;
      columns = columns.filter((c) => c !== redundant);
      cells = cellsOf();
      widths = widthsOf(cells);
    }
    widths = fitWidths(
      widths,
      columns.map((c) => width(c)),
      columns.map((c) => ELASTIC_COLUMNS.includes(c)),
      2,
      maxWidth,
    );
    const middle = columns.map((c) => c === "TargetFilename");
    cells = cells.map((row) => row.map((v, i) => cutToWidth(v, widths[i] ?? 0, middle[i])));
  }
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v + " ".repeat((widths[i] ?? 0) - width(v)))
      .join("  ")
      .trimEnd();
  const first = rows[0]!;
  const fullTitle = `${first.rule_name} (${first.mitre_attack.join(", ")}, risk ${first.risk_score}): ${rows.length} alert${rows.length === 1 ? "" : "s"}`;
  const title = maxWidth === undefined ? fullTitle : cutToWidth(fullTitle, maxWidth);
  const out = [
    title,
    "",
    line(columns.map((c, i) => cutToWidth(c, widths[i] ?? 0))),
    line(widths.map((w) => "-".repeat(w))),
    ...cells.map(line),
  ];
  return `${out.join("\n")}\n`;
}

/**
 * Renders rows in the given format; `tableWidth` (the output is a terminal of that many
 * columns) fits a table to it (cells cut with an ellipsis) and escapes CSV cells' control
 * characters.
 *
 * @example
 * ```ts
 * process.stdout.write(formatRows(rows, "csv"));
 * process.stdout.write(formatRows(rows, "table", process.stdout.columns));
 * ```
 */
export function formatRows(rows: readonly Row[], format: RowFormat, tableWidth?: number): string {
  switch (format) {
    case "jsonl":
      return formatJsonl(rows);
    case "json":
      return formatJson(rows);
    case "csv":
      return formatCsv(rows, tableWidth !== undefined);
    case "table":
      return formatTable(rows, tableWidth);
  }
}
