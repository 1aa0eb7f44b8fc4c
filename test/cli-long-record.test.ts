/**
 * Issue 4: a 100+ MB line with no newline. The record cannot be a real event; it is followed
 * to its end without being held (memory stays bounded), skipped with one line naming the
 * input, the other inputs are scanned, and the status is 2 — with either engine, also inside
 * a pretty-printed JSON file and in XML.
 */

import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "./helpers/cli.js";
import { flatRecord, TRUE_POSITIVE as TP, xmlEvent } from "./helpers/seed-events.js";

let dir: string;
let longJson: string;
let longXml: string;
let good: string;
const MIB = 1024 * 1024;

/** Writes `head`, then `mib` MiB of filler holding "lsass" and ".dmp" now and then, then `tail`. */
function writeLong(path: string, head: string, mib: number, tail: string): void {
  const fd = openSync(path, "w");
  const filler = Buffer.alloc(MIB, 0x61);
  filler.write("C:\\lsass.dmp", 1000);
  writeSync(fd, head);
  for (let i = 0; i < mib; i++) writeSync(fd, filler);
  writeSync(fd, tail);
  closeSync(fd);
}

beforeAll(() => {
  dir = tempDir();
  longJson = join(dir, "long.json");
  writeLong(longJson, `${flatRecord(TP)}\n{"EventID":11,"Image":"C:\\\\taskmgr.exe","Junk":"`, 110, "");
  longXml = join(dir, "long.xml");
  writeLong(
    longXml,
    `${xmlEvent(TP)}\n<Event><EventData><Data Name='TargetFilename'>`,
    80,
    `</Data></EventData></Event>\n${xmlEvent(TP)}\n`,
  );
  good = join(dir, "good.json");
  writeFileSync(good, `${flatRecord({ ...TP, computer: "OTHER-HOST" })}\n`);
});

describe("a record longer than 64 MiB", () => {
  for (const engine of ["wasm", "reference"]) {
    it(`is skipped with one line and status 2, the rest scanned (${engine})`, () => {
      const r = runCli(["scan", longJson, longXml, good, "--format", "jsonl", "--engine", engine]);
      expect(r.status).toBe(2);
      const rows = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(rows.map((x) => [x.dest, x.count])).toEqual([
        ["OTHER-HOST", 1],
        ["WS01.corp.example", 3],
      ]);
      // Inputs run in parallel: their lines come in either order.
      const lines = r.stderr
        .split("\n")
        .filter((l) => l.includes("longer than 64 MiB"))
        .sort();
      expect(lines).toHaveLength(2);
      expect(lines[0]).toContain(
        `${longJson}: a record longer than 64 MiB at byte ${Buffer.byteLength(flatRecord(TP)) + 1} was skipped`,
      );
      expect(lines[1]).toContain(
        `${longXml}: a record longer than 64 MiB at byte ${Buffer.byteLength(xmlEvent(TP)) + 1} was skipped`,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
