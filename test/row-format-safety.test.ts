/**
 * Values from logs are data, never terminal control or spreadsheet formulas: the table escapes
 * C0/C1 controls (so no escape sequence survives) and fits a terminal with an ellipsis; CSV
 * guards cells that start a formula (OWASP); JSON stays exact.
 */

import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { InputHit } from "../src/engine/hit.js";
import type { Row } from "../src/report/row.js";
import { formatEvents } from "../src/sinks/event-format.js";
import { formatCsv, formatJson, formatJsonl, formatTable, terminalText } from "../src/sinks/row-format.js";
import { createStdoutSink } from "../src/sinks/stdout-sink.js";
import { cutToWidth } from "../src/sinks/table-fit.js";

const ROW: Row = JSON.parse(readFileSync(new URL("./fixtures/demo-expected.jsonl", import.meta.url), "utf8"));
/** Terminal control a table must never carry: C0 other than line feed, DEL, C1, bidi overrides. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe("table: escaping", () => {
  it("escapes ESC sequences, BEL, C1 CSI and bidi overrides, and keeps the rest", () => {
    expect(terminalText("\u001b[31mred\u001b]0;title\u0007")).toBe("\\x1b[31mred\\x1b]0;title\\x07");
    expect(terminalText("a\u009b2Jb")).toBe("a\\x9b2Jb");
    expect(terminalText("exe.\u202ePMD")).toBe("exe.\\u{202e}PMD");
    expect(terminalText("tab\there\nline\r")).toBe("tab\\there\\nline\\r");
    expect(terminalText("C:\\Users\\ä\\lsass.dmp")).toBe("C:\\Users\\ä\\lsass.dmp");
  });

  it("no value can put terminal control into the table", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (dest, file) => {
        const table = formatTable([{ ...ROW, dest, TargetFilename: file }]);
        expect(table).not.toMatch(CONTROL);
        expect(formatTable([{ ...ROW, dest, TargetFilename: file }], 80)).not.toMatch(CONTROL);
      }),
    );
  });
});

describe("table: fits a terminal", () => {
  const long: Row = {
    ...ROW,
    TargetFilename: `C:\\Users\\${"very-long-folder-name\\".repeat(6)}lsass.DMP`,
    dest: "a-really-long-host-name.with.a.long.domain.corp.contoso.com",
  };

  it("every line fits 80 columns, cut cells end with an ellipsis", () => {
    const table = formatTable([long, ROW], 80);
    for (const line of table.trimEnd().split("\n")) expect([...line].length).toBeLessThanOrEqual(80);
    expect(table).toContain("…");
    // Columns the title already says (risk, Task Manager) go first; times are never cut.
    expect(table).not.toContain("risk_score");
    expect(table).toContain(`${ROW.firstTime}  ${ROW.lastTime}`);
    // A path is cut in the middle, so the dump's name stays.
    expect(table).toMatch(/C:\\User.*….*ass\.DMP/);
  });

  it("cuts at the end or in the middle", () => {
    expect(cutToWidth("abcdefghij", 5)).toBe("abcd…");
    expect(cutToWidth("abcdefghij", 5, true)).toBe("ab…ij");
    expect(cutToWidth("abc", 5, true)).toBe("abc");
  });

  it("without a width (a file, a pipe) the table carries full values", () => {
    const table = formatTable([long]);
    expect(table).toContain(long.TargetFilename);
    expect(table).not.toContain("…");
  });

  it("the stdout sink fits the table on a TTY only", async () => {
    const write = async (tty: boolean) => {
      const stream = Object.assign(new PassThrough(), tty ? { isTTY: true, columns: 80 } : {});
      const parts: Buffer[] = [];
      stream.on("data", (b: Buffer) => parts.push(b));
      const sink = createStdoutSink("table", stream);
      await sink.write([long]);
      await sink.close();
      return Buffer.concat(parts).toString("utf8");
    };
    const onTty = await write(true);
    expect(Math.max(...onTty.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(await write(false)).toContain(long.TargetFilename);
  });
});

describe("CSV: formula injection (OWASP)", () => {
  it.each(["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])("guards %j", (value) => {
    const csv = formatCsv([{ ...ROW, dest: value }]);
    const cell = csv.split("\r\n")[1]!.split(",")[0]!;
    expect(cell.startsWith(`"'`)).toBe(true);
  });

  it("leaves ordinary cells and numbers as they are", () => {
    const csv = formatCsv([ROW]);
    const line = csv.split("\r\n")[1]!;
    expect(line.startsWith(`${ROW.dest},file,Taskmgr.exe,`)).toBe(true);
    expect(line).toContain(`,${ROW.count},`);
  });
});

describe("JSON stays exact", () => {
  it("control characters and formula starts round-trip through jsonl", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (dest) => {
        const row = { ...ROW, dest };
        expect(JSON.parse(formatJsonl([row]))).toEqual(row);
      }),
    );
  });

  it("sweep: C1 controls (CSI), DEL, bidi overrides and line separators are \\u escapes, not raw", () => {
    // JSON.stringify escapes C0 only; U+009B is CSI on a terminal, U+202E flips the line.
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (dest) => {
        const row = { ...ROW, dest };
        for (const text of [formatJsonl([row]), formatJson([row])]) {
          expect(text.trimEnd()).not.toMatch(CONTROL);
          expect(text).not.toMatch(/[\u2028\u2029]/);
        }
        expect(JSON.parse(formatJson([row]))).toEqual([row]);
      }),
    );
    expect(formatJsonl([{ ...ROW, dest: "a\u009b2J\u202eb" }])).toContain('"dest":"a\\u009b2J\\u202eb"');
  });
});

describe("CSV on a terminal", () => {
  const evil: Row = { ...ROW, dest: "\u001b[2J\u009b31m", TargetFilename: "x\u202e\u0007\\lsass.dmp" };

  it("sweep: a terminal gets control characters escaped, a file or pipe gets them exact", async () => {
    const write = async (tty: boolean) => {
      const stream = Object.assign(new PassThrough(), tty ? { isTTY: true, columns: 80 } : {});
      const parts: Buffer[] = [];
      stream.on("data", (b: Buffer) => parts.push(b));
      const sink = createStdoutSink("csv", stream);
      await sink.write([evil]);
      await sink.close();
      return Buffer.concat(parts).toString("utf8");
    };
    const onTty = await write(true);
    expect(onTty.replace(/\r\n/g, "")).not.toMatch(CONTROL);
    expect(onTty).toContain("\\x1b[2J\\x9b31m,");
    expect(await write(false)).toBe(formatCsv([evil]));
    expect(formatCsv([evil])).toContain(evil.dest);
  });
});

describe("--events text: the rows' safety", () => {
  const hit = (dest: string, targetFilename: string, input = "logs/day.jsonl"): InputHit => ({
    dest,
    processName: "taskmgr.exe",
    targetFilename,
    time: "2024-01-01T00:00:00.000000000",
    offset: 7,
    length: 100,
    input,
  });

  it("sweep: CSV guards formula starts in every text cell, input names too", () => {
    const csv = formatEvents([hit("=cmd|' /C calc'!A0", "+1\\lsass.dmp", "@evil.jsonl")], "csv");
    const line = csv.split("\r\n")[1]!;
    expect(line).toContain(`"'@evil.jsonl"`);
    expect(line).toContain(`"'=cmd|' /C calc'!A0"`);
    expect(line).toContain(`"'+1\\lsass.dmp"`);
    // Numbers (offset, length) are numbers, not guarded text.
    expect(line).toContain(",7,100,");
  });

  it("sweep: the table escapes bidi overrides and C1 controls; JSON escapes them", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (dest, file) => {
        const hits = [hit(dest, file, `in${dest}.jsonl`)];
        expect(formatEvents(hits, "table")).not.toMatch(CONTROL);
        expect(formatEvents(hits, "jsonl").trimEnd()).not.toMatch(CONTROL);
        expect(formatEvents(hits, "csv", true).replace(/\r\n/g, "")).not.toMatch(CONTROL);
      }),
    );
  });
});
