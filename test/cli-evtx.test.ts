/**
 * Issue 6 through the CLI: an EVTX file with a damaged chunk gives its live rows, one line
 * naming the file and chunk, and status 2; `--carve` adds rows marked carved; EVTX inside a
 * tar.gz is read the same; both engines print the same bytes.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "./helpers/cli.js";
import { buildEvtx, type ChunkSpec, type RecordSpec, type SysmonEvent, sysmonRecord } from "./helpers/evtx-writer.js";
import { makeTar } from "./helpers/inputs-fixtures.js";

function event(i: number, overrides: Partial<SysmonEvent> = {}): SysmonEvent {
  return {
    computer: `ws${i}.corp.example`,
    image: "C:\\Windows\\System32\\Taskmgr.exe",
    target: `C:\\Users\\u${i}\\AppData\\Local\\Temp\\lsass.DMP`,
    time: `2021-12-04T21:10:${String(10 + (i % 50)).padStart(2, "0")}.7235999Z`,
    recordId: BigInt(i),
    ...overrides,
  };
}

function chunkWith(records: RecordSpec[], first: number): ChunkSpec {
  const list: RecordSpec[] = [];
  for (let i = 0; i < 20; i++) {
    list.push(sysmonRecord(event(first + i, { eventId: 1, image: "C:\\Windows\\explorer.exe", target: "C:\\x.txt" })));
  }
  list.splice(5, 0, ...records);
  return { records: list };
}

let dir: string;
let evtx: string;

beforeAll(() => {
  dir = tempDir();
  const built = buildEvtx({
    chunks: [
      { ...chunkWith([sysmonRecord(event(1))], 100), slack: [sysmonRecord(event(2))] },
      { ...chunkWith([sysmonRecord(event(3))], 200), damage: "magic" },
      chunkWith([sysmonRecord(event(4))], 300),
    ],
  });
  evtx = join(dir, "Sysmon.evtx");
  writeFileSync(evtx, built.bytes);
});

function rows(stdout: string): { dest: string; carved?: boolean }[] {
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));
}

describe("EVTX from the command line", () => {
  for (const engine of ["wasm", "reference"]) {
    it(`live rows, one line for the damaged chunk, status 2 (${engine})`, () => {
      const r = runCli(["scan", evtx, "--format", "jsonl", "--engine", engine, "--shard-size", "4k"]);
      expect(r.status).toBe(2);
      expect(rows(r.stdout).map((x) => x.dest)).toEqual(["ws1.corp.example", "ws4.corp.example"]);
      const damage = r.stderr.split("\n").filter((l) => l.includes("chunk 1"));
      expect(damage).toEqual([`lsass-dump-scan: ${evtx}: chunk 1 at offset 69632: bad chunk magic; chunk skipped`]);
    });
  }

  it("--carve adds the slack and damaged-chunk records as carved rows", () => {
    const wasm = runCli(["scan", evtx, "--format", "jsonl", "--carve"]);
    const reference = runCli(["scan", evtx, "--format", "jsonl", "--carve", "--engine", "reference"]);
    expect(wasm.stdout).toBe(reference.stdout);
    expect(rows(wasm.stdout)).toEqual([
      expect.objectContaining({ dest: "ws1.corp.example" }),
      expect.objectContaining({ dest: "ws2.corp.example", carved: true }),
      expect.objectContaining({ dest: "ws3.corp.example", carved: true }),
      expect.objectContaining({ dest: "ws4.corp.example" }),
    ]);
    expect(rows(wasm.stdout)[0]).not.toHaveProperty("carved");
    const table = runCli(["scan", evtx, "--carve"]).stdout;
    expect(table).toMatch(/carved/);
  });

  it("reads EVTX inside a tar.gz the same way", async () => {
    const tgz = join(dir, "triage.tgz");
    writeFileSync(tgz, gzipSync(await makeTar([{ name: "C/Windows/Logs/Sysmon.evtx", data: readFileSync(evtx) }])));
    const r = runCli(["scan", tgz, "--format", "jsonl"]);
    expect(rows(r.stdout).map((x) => x.dest)).toEqual(["ws1.corp.example", "ws4.corp.example"]);
    expect(r.stderr).toContain("triage.tgz:C/Windows/Logs/Sysmon.evtx: chunk 1");
  });
});
