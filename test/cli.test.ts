/**
 * Issue 2: the CLI as a user meets it — output formats, --output, --suppress, stdin,
 * --input-format, exit statuses (0 clean, 1 alerts, 2 trouble) and one-line messages for bad
 * input while the rest of the scan goes on.
 */

import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "./helpers/cli.js";
import { evtxInput } from "./helpers/embed-inputs.js";
import { ecsRecord, flatRecord, TRUE_POSITIVE as TP, xmlEvent } from "./helpers/seed-events.js";

let dir: string;
let alertXml: string;
let cleanJson: string;

beforeAll(() => {
  dir = tempDir();
  alertXml = join(dir, "alert.xml.log");
  writeFileSync(alertXml, `${xmlEvent({ ...TP, eventId: 1 })}\n${xmlEvent(TP)}\n`);
  cleanJson = join(dir, "clean.json");
  writeFileSync(cleanJson, `${flatRecord({ ...TP, eventId: 10 })}\n`);
});

function lines(s: string): string[] {
  return s.split("\n").filter((l) => l !== "");
}

describe("exit status and output", () => {
  it("exits 1 with the alert as a table by default", () => {
    const r = runCli(["scan", alertXml]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("Creation of lsass Dump with Taskmgr");
    expect(r.stdout).toContain("WS01.corp.example");
    expect(r.stdout).toContain("C:\\Users\\alice\\AppData\\Local\\Temp\\lsass.DMP");
    expect(r.stderr).toMatch(/1 input, .*1 event matched, 1 alert/);
  });

  it("exits 0 and says so when nothing matches", () => {
    const r = runCli(["scan", cleanJson]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("No alerts.\n");
  });

  it("prints JSON lines in the contract's key order", () => {
    const r = runCli(["scan", alertXml, "--format", "jsonl", "--quiet"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("");
    const row = JSON.parse(lines(r.stdout)[0]!);
    expect(Object.keys(row)).toEqual([
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
    ]);
    expect(row.firstTime).toBe("2024-03-05T10:11:12");
    expect(row.message).toBe(
      "Taskmgr.exe was identified on endpoint WS01.corp.example writing C:\\Users\\alice\\AppData\\Local\\Temp\\lsass.DMP to disk. This behavior is related to dumping credentials via Task Manager.",
    );
  });

  it("prints a JSON array and CSV with the same fields", () => {
    const json = JSON.parse(runCli(["scan", alertXml, "--format", "json", "-q"]).stdout);
    expect(json).toHaveLength(1);
    expect(json[0].risk_score).toBe(80);
    const csv = runCli(["scan", alertXml, "--format", "csv", "-q"]).stdout.split("\r\n");
    expect(csv[0]).toBe(
      "dest,object_category,process_name,TargetFilename,count,firstTime,lastTime,risk_score,message,rule_id,rule_name,mitre_attack,carved",
    );
    expect(csv[1]).toContain("WS01.corp.example,file,Taskmgr.exe,C:\\Users\\alice\\AppData\\Local\\Temp\\lsass.DMP,1,");
    expect(csv[1]).toContain(",T1003.001;T1003,");
  });

  it("writes rows to --output", () => {
    const out = join(dir, "rows.jsonl");
    const r = runCli(["scan", alertXml, "--format", "jsonl", "--output", out, "-q"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(JSON.parse(readFileSync(out, "utf8")).dest).toBe("WS01.corp.example");
  });

  it("reads standard input for -", () => {
    const r = runCli(["scan", "-", "--format", "jsonl", "-q"], { input: `${ecsRecord(TP)}\n` });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).dest).toBe("WS01.corp.example");
  });

  it("reads gzip from standard input", () => {
    const r = runCli(["scan", "-", "--format", "jsonl", "-q"], { input: gzipSync(`${flatRecord(TP)}\n`) });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).process_name).toBe("Taskmgr.exe");
  });

  it("--input-format forces a format (jsonl is flat JSON lines)", () => {
    const r = runCli(["scan", cleanJson, "--input-format", "jsonl", "-q"]);
    expect(r.status).toBe(0);
    // XML read as JSON would find no records: the input is named as not that format, not
    // scanned, and the status says so (both engines).
    for (const engine of ["wasm", "reference"]) {
      const forced = runCli(["scan", alertXml, "--input-format", "ecs", "--engine", engine, "-q"]);
      expect(forced.stderr).toBe(`lsass-dump-scan: ${alertXml}: is XML, not ecs (--input-format ecs): not scanned\n`);
      expect(forced.status).toBe(2);
    }
  });

  it("sweep: --input-format that plainly does not fit (EVTX or JSON as xml, XML as JSON) names the input", () => {
    // Before: an EVTX file forced as xml scanned to nothing, exit 0: a silent miss.
    const evtx = join(dir, "forced.evtx");
    writeFileSync(evtx, evtxInput(1, 4, (_c, r) => (r === 2 ? "truePositive" : "background")).bytes);
    const r = runCli(["scan", evtx, cleanJson, alertXml, "--input-format", "xml", "-f", "jsonl", "-q"]);
    expect(lines(r.stderr)).toEqual([
      `lsass-dump-scan: ${evtx}: is EVTX, not xml (--input-format xml): not scanned`,
      `lsass-dump-scan: ${cleanJson}: is JSON, not xml (--input-format xml): not scanned`,
    ]);
    expect(JSON.parse(r.stdout).dest).toBe("WS01.corp.example");
    expect(r.status).toBe(2);
    // Standard input likewise.
    const piped = runCli(["scan", "-", "--input-format", "xml", "-q"], { input: `${flatRecord(TP)}\n` });
    expect(piped.stderr).toBe("lsass-dump-scan: -: is JSON, not xml (--input-format xml): not scanned\n");
    expect(piped.status).toBe(2);
  });
});

describe("--suppress", () => {
  it("drops rows that match a wildcard line, ignoring case", () => {
    const list = join(dir, "fp.txt");
    writeFileSync(list, "# known admin workstations\ndest=ws01.*\n");
    const r = runCli(["scan", alertXml, "--suppress", list]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("No alerts.\n");
    expect(r.stderr).toContain("1 suppressed");
  });

  it("keeps rows when only part of an AND line matches", () => {
    const list = join(dir, "fp-and.txt");
    writeFileSync(list, "dest=WS01* AND TargetFilename=*\\Debug\\*\n");
    expect(runCli(["scan", alertXml, "--suppress", list, "-q"]).status).toBe(1);
  });

  it("sweep: a rule that could never match (dangling AND, lower-case and, OR) is an error, not kept", () => {
    // Before: `dest=x and process_name=y` was one pattern for dest, `dest=* AND` a pattern
    // ending in " AND": accepted, matching nothing, the alerts kept while the user thought them handled.
    const list = join(dir, "fp-joiners.txt");
    for (const [rule, why] of [
      ["dest=WS01* AND", "AND joins two field=pattern conditions"],
      ["AND dest=WS01*", "AND joins two field=pattern conditions"],
      [
        "dest=WS01* and process_name=taskmgr.exe",
        "conditions are joined with AND (upper case); for OR write one rule a line",
      ],
      ["dest=WS01* OR TargetFilename=*", "conditions are joined with AND (upper case); for OR write one rule a line"],
    ]) {
      writeFileSync(list, `# known\n${rule}\n`);
      const r = runCli(["scan", alertXml, "--suppress", list]);
      expect(r.stderr).toBe(`lsass-dump-scan: ${list}:2: ${why}, got "${rule}"\n`);
      expect(r.status).toBe(2);
    }
    // A file name holding " and " is a pattern like any other.
    writeFileSync(list, "TargetFilename=*\\dumps and logs\\*\n");
    expect(runCli(["scan", alertXml, "--suppress", list, "-q"]).status).toBe(1);
  });

  it("rejects a list it cannot read with one line and status 2", () => {
    const list = join(dir, "bad.txt");
    writeFileSync(list, "host=foo\n");
    const r = runCli(["scan", alertXml, "--suppress", list]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain("bad.txt:1");
  });
});

describe("bad input: one line naming it, the scan goes on, status 2", () => {
  it("sweep: a file whose name is not valid UTF-8 is named as such, not 'no such file'", () => {
    const folder = join(dir, "latin1-names");
    mkdirSync(folder);
    // `café.jsonl` in Latin-1, as a Windows share or an old archive tool leaves it.
    writeFileSync(
      Buffer.concat([Buffer.from(`${folder}/caf`), Buffer.from([0xe9]), Buffer.from(".jsonl")]),
      flatRecord(TP),
    );
    const r = runCli(["scan", folder, alertXml, "-q", "-f", "jsonl"]);
    expect(r.stderr).toBe(
      `lsass-dump-scan: ${folder}/caf\uFFFD.jsonl: its name is not valid UTF-8 (shown with \uFFFD) and cannot be opened by it: rename the file\n`,
    );
    expect(r.status).toBe(2);
    expect(lines(r.stdout)).toHaveLength(1);
  });

  it("a missing path", () => {
    const missing = join(dir, "nope.xml");
    const r = runCli(["scan", missing, alertXml, "--format", "jsonl"]);
    expect(r.status).toBe(2);
    expect(lines(r.stdout)).toHaveLength(1);
    const errors = lines(r.stderr).filter((l) => l.includes("nope.xml"));
    expect(errors).toEqual([`lsass-dump-scan: ${missing}: no such file or directory`]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("an explicitly named file of unknown format", () => {
    const junk = join(dir, "random.bin");
    writeFileSync(junk, randomBytes(4096));
    const r = runCli(["scan", junk, alertXml, "-q"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("random.bin");
    expect(r.stdout).toContain("lsass.DMP");
  });

  it("an explicitly named empty file", () => {
    const empty = join(dir, "empty.json");
    writeFileSync(empty, "");
    const r = runCli(["scan", empty, "-q"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("empty.json: empty");
  });

  it("a corrupt gzip", () => {
    const bad = join(dir, "bad.json.gz");
    const gz = gzipSync(`${flatRecord(TP)}\n`.repeat(50));
    writeFileSync(bad, gz.subarray(0, gz.length - 20));
    const r = runCli(["scan", bad, alertXml, "-q"]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr).some((l) => l.includes("bad.json.gz"))).toBe(true);
    expect(r.stdout).toContain("WS01.corp.example");
  });

  it("unknown files met while walking a folder are skipped and counted, not errors", () => {
    const folder = join(dir, "walk");
    mkdirSync(folder);
    writeFileSync(join(folder, "notes.txt"), "nothing to see\n");
    writeFileSync(join(folder, "events.xml"), `${xmlEvent(TP)}\n`);
    const r = runCli(["scan", folder]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/1 skipped/);
    expect(r.stdout).toContain("WS01.corp.example");
  });

  it("a directory with a symbolic link loop is walked once and the loop reported", () => {
    const folder = join(dir, "looped");
    mkdirSync(folder);
    writeFileSync(join(folder, "events.xml"), `${xmlEvent(TP)}\n`);
    symlinkSync(folder, join(folder, "loop"));
    const r = runCli(["scan", folder, "--format", "jsonl"]);
    expect(r.status).toBe(2);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(JSON.parse(r.stdout).count).toBe(1);
    expect(r.stderr).toContain("loop: symbolic link loop");
  });

  it("bad usage: unknown option and bad values exit 2 without a stack trace", () => {
    for (const args of [
      ["scan", "--nope", alertXml],
      ["scan", alertXml, "--format", "yaml"],
      ["scan", alertXml, "--workers", "0"],
      ["scan", alertXml, "--shard-size", "12q"],
      ["scan"],
    ]) {
      const r = runCli(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("accepts --workers, --shard-size and --no-progress", () => {
    const r = runCli(["scan", alertXml, "--workers", "2", "--shard-size", "4k", "--no-progress", "-q"]);
    expect(r.status).toBe(1);
  });
});

describe("help and version", () => {
  it("--help shows examples and exit statuses", () => {
    const r = runCli(["scan", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("Exit status");
  });

  it("--version prints the package version", () => {
    const r = runCli(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
