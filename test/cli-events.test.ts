/**
 * `scan --events` (issue 11): one line per matched event, the timeline view of hayabusa and
 * chainsaw: time, input, archive member, EVTX record id or byte offset, dest, process, file;
 * the same formats as rows; lines sorted by time whatever the worker count; values from logs
 * never reach the terminal as control characters.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CORPUS, HAVE_CORPUS, runCli, tempDir } from "./helpers/cli.js";
import { evtxInput } from "./helpers/embed-inputs.js";
import { makeZip } from "./helpers/inputs-fixtures.js";
import { TRUE_POSITIVE, xmlEvent } from "./helpers/seed-events.js";

const dir = tempDir("lds-events-");
const early = xmlEvent({ ...TRUE_POSITIVE, computer: "EARLY", time: "2024-01-01T00:00:00.0000000Z" });
const late = xmlEvent({ ...TRUE_POSITIVE, computer: "LATE\u001b[31m", time: "2024-06-01T00:00:00.0000000Z" });
const xmlPath = join(dir, "two.xml");
writeFileSync(xmlPath, `${late}\n${early}\n`);
const evtxPath = join(dir, "one.evtx");
writeFileSync(evtxPath, evtxInput(1, 8, (_c, r) => (r === 5 ? "truePositive" : "background")).bytes);
const zipPath = join(dir, "logs.zip");
writeFileSync(zipPath, makeZip([{ name: "inner/day.xml.gz", data: gzipSync(`${early}\n`) }]));

interface EventLine {
  time: string;
  input: string;
  member: string;
  record_id: number | null;
  offset: number;
  length: number;
  dest: string;
}

function jsonl(stdout: string): EventLine[] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as EventLine);
}

describe("scan --events", () => {
  it("prints one JSON line per event, by time, with input, member, record id or offset", () => {
    const r = runCli(["scan", xmlPath, evtxPath, zipPath, "--events", "-f", "jsonl", "-q", "-j", "2"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    const lines = jsonl(r.stdout);
    expect(lines.map((l) => l.dest)).toEqual(["ws6.corp.example", "EARLY", "EARLY", "LATE\u001b[31m"]);
    const [evtx, zipped, plain, last] = lines as [EventLine, EventLine, EventLine, EventLine];
    expect(evtx).toMatchObject({ input: evtxPath, member: "", record_id: 6 });
    expect(zipped).toMatchObject({ input: zipPath, member: "inner/day.xml.gz", record_id: null, offset: 0 });
    expect(plain).toMatchObject({ input: xmlPath, member: "", record_id: null, offset: late.length + 1 });
    expect(plain.length).toBe(early.length);
    expect(last.offset).toBe(0);
  });

  it("the table escapes control characters and names where each event is", () => {
    const r = runCli(["scan", xmlPath, evtxPath, "--events", "-q"]);
    expect(r.stdout).not.toContain("\u001b");
    expect(r.stdout).toContain("LATE\\x1b[31m");
    expect(r.stdout).toContain(`${evtxPath} #6`);
    expect(r.stdout).toContain(`${xmlPath} @0`);
    expect(r.stdout.split("\n")[0]).toBe("Creation of lsass Dump with Taskmgr: 3 events");
  });

  it("csv has a header and one line per event; suppression drops events too", () => {
    const suppress = join(dir, "suppress.txt");
    writeFileSync(suppress, "dest=EARLY\n");
    const r = runCli(["scan", xmlPath, "--events", "-f", "csv", "-q", "--suppress", suppress]);
    const lines = r.stdout.trim().split("\r\n");
    expect(lines[0]).toBe(
      "time,input,member,record_id,offset,length,dest,object_category,process_name,TargetFilename,carved",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(",0,");
  });

  it("no events: 'No events.' and exit status 0", () => {
    const clean = join(dir, "clean.xml");
    writeFileSync(clean, `${xmlEvent({ ...TRUE_POSITIVE, image: "C:\\procdump.exe" })}\n`);
    const r = runCli(["scan", clean, "--events", "-q"]);
    expect(r.stdout).toBe("No events.\n");
    expect(r.status).toBe(0);
  });

  it.skipIf(!HAVE_CORPUS)("on the public corpus: one event per matched record (../shared/corpus)", () => {
    const r = runCli(["scan", CORPUS, "--events", "-f", "jsonl", "-q"]);
    const lines = jsonl(r.stdout);
    const rows = runCli(["scan", CORPUS, "-f", "jsonl", "-q"]).stdout.trim().split("\n");
    const total = rows.map((l) => (JSON.parse(l) as { count: number }).count).reduce((a, b) => a + b, 0);
    expect(lines).toHaveLength(total);
  });
});
