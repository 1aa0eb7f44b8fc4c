/**
 * The timeline view (`scan --events`): one line per matched event instead of aggregated rows,
 * as DFIR users know it from hayabusa and chainsaw: time, where (input, archive member, EVTX
 * EventRecordID or byte offset), dest, process and file. Lines are sorted by time, then input
 * and offset, so the output is identical whatever the worker count. Same formats as rows.
 */

import type { InputHit } from "../engine/hit.js";
import { RULE } from "../rule/rule.js";
import { csvCell, jsonText, type RowFormat, terminalText } from "./row-format.js";

/** One event line, keys in output order. */
export interface EventLine {
  /** Normalized UTC time (full precision), "" when the event had none. */
  time: string;
  input: string;
  /** Archive member, "" for a plain file. */
  member: string;
  /** EVTX EventRecordID, null for text formats. */
  record_id: number | null;
  /** Byte offset and length of the record in the input (decompressed bytes for archives). */
  offset: number;
  length: number;
  dest: string;
  object_category: string;
  process_name: string;
  TargetFilename: string;
  carved: boolean;
}

/** Hits as event lines, in timeline order. */
export function eventLines(hits: readonly InputHit[]): EventLine[] {
  const lines = hits.map(
    (h): EventLine => ({
      time: h.time,
      input: h.input,
      member: h.member ?? "",
      record_id: h.recordId ?? null,
      offset: h.offset,
      length: h.length,
      dest: h.dest,
      object_category: RULE.objectCategory,
      process_name: h.processName,
      TargetFilename: h.targetFilename,
      carved: h.carved === true,
    }),
  );
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return lines.sort(
    (a, b) => cmp(a.time, b.time) || cmp(a.input, b.input) || cmp(a.member, b.member) || a.offset - b.offset,
  );
}

const COLUMNS: readonly (keyof EventLine)[] = [
  "time",
  "input",
  "member",
  "record_id",
  "offset",
  "length",
  "dest",
  "object_category",
  "process_name",
  "TargetFilename",
  "carved",
];

/** Where an event is, for the table: `input[:member] #recordId` or `input[:member] @offset`. */
function where(e: EventLine): string {
  const name = e.member === "" ? e.input : `${e.input}:${e.member}`;
  return e.record_id === null ? `${name} @${e.offset}` : `${name} #${e.record_id}`;
}

function table(lines: readonly EventLine[]): string {
  if (lines.length === 0) return "No events.\n";
  const header = [
    "time",
    "dest",
    "process_name",
    "TargetFilename",
    "where",
    ...(lines.some((l) => l.carved) ? ["carved"] : []),
  ];
  const cells = lines.map((l) => {
    const row = [l.time, l.dest, l.process_name, l.TargetFilename, where(l)].map(terminalText);
    if (header.length > 5) row.push(l.carved ? "true" : "");
    return row;
  });
  const widths = header.map((h, i) => Math.max([...h].length, ...cells.map((c) => [...(c[i] ?? "")].length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v + " ".repeat((widths[i] ?? 0) - [...v].length))
      .join("  ")
      .trimEnd();
  const title = `${RULE.name}: ${lines.length} event${lines.length === 1 ? "" : "s"}`;
  return `${[title, "", line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")}\n`;
}

/**
 * Renders event lines in one of the row formats, with the rows' safety: the table escapes
 * terminal control ({@link terminalText}), CSV defuses spreadsheet formulas ({@link csvCell}),
 * JSON escapes what a terminal would act on ({@link jsonText}). `terminal`: the text is shown
 * on a terminal, so CSV cells escape control characters too.
 */
export function formatEvents(hits: readonly InputHit[], format: RowFormat, terminal = false): string {
  const lines = eventLines(hits);
  switch (format) {
    case "jsonl":
      return lines.map((l) => `${jsonText(l)}\n`).join("");
    case "json":
      return `${jsonText(lines, 2)}\n`;
    case "csv":
      return `${[COLUMNS.join(","), ...lines.map((l) => COLUMNS.map((c) => csvCell(l[c], terminal)).join(","))].join("\r\n")}\r\n`;
    case "table":
      return table(lines);
  }
}
