/**
 * Alert rows and inputs for the delivery tests: `sampleRows(n)` builds n distinct rows the way
 * the scan does (toRow), and `flatLogWithHosts(n)` writes a flat JSON log whose scan gives n rows.
 */

import { type Row, toRows } from "../../src/report/row.js";
import { flatRecord, TRUE_POSITIVE } from "./seed-events.js";

/** n distinct rows, sorted as the scan sorts them. */
export function sampleRows(n: number, prefix = "WS"): Row[] {
  const entries = Array.from({ length: n }, (_, i) => ({
    dest: `${prefix}${String(i).padStart(5, "0")}.corp.example`,
    objectCategory: "file",
    processName: "taskmgr.exe",
    targetFilename: `C:\\Users\\u${i}\\AppData\\Local\\Temp\\lsass.DMP`,
    carved: false,
    count: 1 + (i % 3),
    first: "2024-03-05T10:11:12.1234567Z",
    last: `2024-03-05T10:${String(i % 60).padStart(2, "0")}:12.1234567Z`,
  }));
  return toRows(entries);
}

/** A flat JSON lines log (NXLog layout) with one matching event on each of n hosts. */
export function flatLogWithHosts(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(flatRecord({ ...TRUE_POSITIVE, computer: `HOST${String(i).padStart(4, "0")}.corp.example` }));
  }
  return `${lines.join("\n")}\n`;
}
