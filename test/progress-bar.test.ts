/**
 * The progress bar tells the truth: archives are labelled as counting compressed bytes,
 * standard input shows bytes read and a rate, no ETA before anything is done, "1 input".
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { progressText } from "../src/cli/progress-bar.js";
import { type ScanProgress, scan } from "../src/index.js";
import { newScanProgress } from "../src/pool/parallel-scan.js";
import { ROOT } from "./helpers/cli.js";

const START: ScanProgress = newScanProgress();

describe("progressText", () => {
  it("no ETA at 0%, and none while the total still grows", () => {
    const text = progressText({ ...START, bytesTotal: 2e9, planned: true }, 3);
    expect(text).toContain("0% | 0.00/2.00 GB");
    expect(text).not.toContain("ETA");
    expect(progressText({ ...START, bytesTotal: 2e9, bytesDone: 1e9 }, 3)).not.toContain("ETA");
  });

  it("an ETA from the rate so far once something is done", () => {
    expect(progressText({ ...START, bytesTotal: 2e9, bytesDone: 1e9, planned: true }, 10)).toContain("ETA 10s");
  });

  it("one input, one event: singular", () => {
    const text = progressText({ ...START, bytesTotal: 10, bytesDone: 10, planned: true, inputsDone: 1, matches: 1 }, 1);
    expect(text).toContain("| 1 input | 1 event matched");
    expect(progressText({ ...START, inputsDone: 2, matches: 0 }, 1)).toContain("| 2 inputs | 0 events matched");
  });

  it("archives: labelled as compressed bytes", () => {
    expect(progressText({ ...START, bytesTotal: 1e9, compressed: true }, 1)).toContain("GB (archives: compressed)");
  });

  it("standard input: bytes read and a rate, no percentage", () => {
    const text = progressText({ ...START, streamBytes: 5e6 }, 2);
    expect(text).toBe("5.0 MB read from standard input | 2.5 MB/s | 0 inputs | 0 events matched");
  });
});

describe("scan() progress reports", () => {
  it("count standard input's bytes and say archives count compressed bytes", async () => {
    const bytes = readFileSync(join(ROOT, "demo", "dc01-sysmon.xml.log"));
    const reports: ScanProgress[] = [];
    await scan(["-", join(ROOT, "demo", "ws-winlogbeat.ndjson.gz")], {
      stdin: Readable.from([bytes]),
      workers: 1,
      onProgress: (p) => reports.push(p),
    });
    const last = reports.at(-1)!;
    expect(last.streamBytes).toBe(bytes.length);
    expect(last.compressed).toBe(true);
    expect(last.inputsDone).toBeGreaterThanOrEqual(2);
  });
});
