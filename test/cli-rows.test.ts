/**
 * Issue 9, item 6: a row none of whose events has a usable time prints null firstTime/lastTime
 * (empty in CSV, `-` in the table), and rows sort by Unicode code point (UTF-8 byte order), not
 * by UTF-16 code units, in both engines.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Aggregates } from "../src/report/aggregate.js";
import { compareCodePoints, toRows } from "../src/report/row.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { flatRecord, TRUE_POSITIVE as TP, xmlEvent } from "./helpers/seed-events.js";

describe("compareCodePoints", () => {
  it("orders like the UTF-8 bytes, astral characters after U+E000..U+FFFF", () => {
    const words = ["\u{1F5A5}", "\uFF21", "\uFFFD", "\uE000", "z", "", "a\u{10000}", "a\uFFFF", "\u00e9", "\u{10FFFF}"];
    const byBytes = [...words].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...words].sort(compareCodePoints)).toEqual(byBytes);
    expect(compareCodePoints("\u{1F5A5}", "\uFFFD")).toBeGreaterThan(0); // plain `<` says the opposite
    expect("\u{1F5A5}" < "\uFFFD").toBe(true);
  });

  it("toRows sorts dest by code point", () => {
    const agg = new Aggregates();
    for (const dest of ["WS-\u{1F5A5}", "WS-\uFF21", "WS-A"]) {
      agg.add({ dest, processName: "taskmgr.exe", targetFilename: "C:\\lsass.dmp", time: "" });
    }
    expect(toRows(agg.entries()).map((r) => r.dest)).toEqual(["WS-A", "WS-\uFF21", "WS-\u{1F5A5}"]);
  });
});

describe("rows through the CLI, both engines", () => {
  const dir = tempDir("lds-rows-");
  const file = join(dir, "rows.json");
  const noTime = { ...TP, time: undefined, computer: "WS-\u{1F5A5}" };
  writeFileSync(
    file,
    [
      flatRecord(noTime),
      flatRecord({ ...noTime, time: "not a time" }),
      flatRecord({ ...TP, computer: "WS-\uFF21" }),
      flatRecord({ ...TP, computer: "WS-\uFFFD" }),
      // Background, so the file spans several 4 KiB shards.
      ...Array.from({ length: 30 }, (_, i) => flatRecord({ ...TP, eventId: 1, computer: `bg-${i}` })),
      flatRecord({ ...noTime, time: "" }),
    ].join("\n"),
  );
  const xml = join(dir, "rows.xml");
  writeFileSync(xml, `${xmlEvent({ ...TP, time: undefined, computer: "WS-XML" })}\n`);

  for (const engine of ["wasm", "reference"]) {
    it(`${engine}: null times in jsonl and json, empty in CSV, - in the table; code point order`, () => {
      const jsonl = runCli([
        "scan",
        file,
        xml,
        "--engine",
        engine,
        "--format",
        "jsonl",
        "-q",
        "-j",
        "2",
        "--shard-size",
        "4k",
      ]);
      expect(jsonl.status).toBe(1);
      const rows = jsonl.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(rows.map((r) => [r.dest, r.count, r.firstTime, r.lastTime])).toEqual([
        ["WS-XML", 1, null, null],
        ["WS-\uFF21", 1, "2024-03-05T10:11:12", "2024-03-05T10:11:12"],
        ["WS-\uFFFD", 1, "2024-03-05T10:11:12", "2024-03-05T10:11:12"],
        ["WS-\u{1F5A5}", 3, null, null],
      ]);
      expect(jsonl.stdout).toContain('"firstTime":null,"lastTime":null');
      const stdin = runCli(["scan", "-", "--engine", engine, "--format", "jsonl", "-q"], { input: readFileSync(file) });
      expect(stdin.stdout).toBe(jsonl.stdout.split("\n").slice(1).join("\n"));
      const json = JSON.parse(runCli(["scan", file, "--engine", engine, "--format", "json", "-q"]).stdout);
      expect(json.at(-1).firstTime).toBeNull();
      const csv = runCli(["scan", file, "--engine", engine, "--format", "csv", "-q"]).stdout.split("\r\n");
      expect(csv.at(-2)).toMatch(
        /^WS-\u{1F5A5},file,Taskmgr\.exe,C:\\Users\\alice\\AppData\\Local\\Temp\\lsass\.DMP,3,,,80,/u,
      );
      const table = runCli(["scan", file, "--engine", engine, "-q"]).stdout.split("\n");
      const last = table.filter((l) => l.startsWith("WS-\u{1F5A5}"))[0] ?? "";
      expect(last.split(/\s{2,}/)).toEqual([
        "WS-\u{1F5A5}",
        "Taskmgr.exe",
        "C:\\Users\\alice\\AppData\\Local\\Temp\\lsass.DMP",
        "3",
        "-",
        "-",
        "80",
      ]);
    });
  }
});
