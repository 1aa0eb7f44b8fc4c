/**
 * The runnable examples in examples/ (issue 11), run as a user would (`node examples/x.mjs`,
 * importing "lsass-dump-scan" through the package's own exports map): a pipeline filtering a
 * stream, a one-shot buffer scan, a per-record hook. Needs `npm run build` (dist/).
 */

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { scanBytes } from "../src/index.js";
import { ROOT, tempDir } from "./helpers/cli.js";
import { evtxInput, textInput, textRecord } from "./helpers/embed-inputs.js";
import { ecsRecord, TRUE_POSITIVE, xmlEvent } from "./helpers/seed-events.js";

const dir = tempDir("lds-examples-");

function runExample(name: string, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(ROOT, "examples", name), ...args], {
    cwd: ROOT,
    input,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("examples/", () => {
  it("prefilter-pipeline.mjs passes on only the matching records of a gzip'd log", () => {
    const records = Array.from({ length: 40 }, (_, i) =>
      textRecord("ecs", i % 13 === 5 ? "truePositive" : "background", 300 + i),
    );
    const plain = textInput(records, "ecs", "lines");
    const input = join(dir, "winlogbeat.ndjson.gz");
    const output = join(dir, "candidates.ndjson");
    writeFileSync(input, gzipSync(plain));
    const r = runExample("prefilter-pipeline.mjs", [input, output]);
    expect(r.stderr).toBe(`${input}: ${plain.length} bytes read, 3 matching record(s) passed on to ${output}\n`);
    expect(r.status).toBe(0);
    const out = readFileSync(output);
    expect(out.toString().trim().split("\n")).toHaveLength(3);
    expect(scanBytes(out).rows).toEqual(scanBytes(plain).rows);
  });

  it("prefilter-pipeline.mjs keeps an EVTX file valid", () => {
    const { bytes } = evtxInput(3, 12, (c, r) => (c === 2 && r === 7 ? "truePositive" : "background"));
    const input = join(dir, "Sysmon.evtx");
    const output = join(dir, "candidates.evtx");
    writeFileSync(input, bytes);
    const r = runExample("prefilter-pipeline.mjs", [input, output]);
    expect(r.status).toBe(0);
    const out = readFileSync(output);
    expect(out.length).toBe(4096 + 65536);
    expect(scanBytes(out).hits.map((h) => h.recordId)).toEqual([32]);
  });

  it("scan-buffer.mjs prints each hit with its byte range, then the rows", () => {
    const first = xmlEvent(TRUE_POSITIVE);
    const file = join(dir, "sysmon.xml");
    writeFileSync(file, `${first}\n`);
    const r = runExample("scan-buffer.mjs", [file]);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe(
      `2024-03-05T10:11:12.123456700 WS01.corp.example Taskmgr.exe wrote ${TRUE_POSITIVE.targetFilename} (bytes 0-${first.length})`,
    );
    expect(JSON.parse(lines[1] ?? "")).toMatchObject({ dest: "WS01.corp.example", count: 1 });
    expect(r.status).toBe(0);
  });

  it("per-record-hook.mjs judges one record a line", () => {
    const lines = [
      ecsRecord(TRUE_POSITIVE),
      ecsRecord({ ...TRUE_POSITIVE, image: "C:\\procdump.exe" }),
      xmlEvent({ ...TRUE_POSITIVE, computer: "WS02" }),
    ];
    const r = runExample("per-record-hook.mjs", [], `${lines.join("\n")}\n`);
    expect(r.stderr).toBe("3 record(s), 2 match(es)\n");
    const out = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { dest: string });
    expect(out.map((o) => o.dest)).toEqual(["WS01.corp.example", "WS02"]);
  });
});
