/**
 * Worker counts at the CLI: `-j 1000` does not start 1000 threads; it runs with at most 4 per
 * core and one per task, and says so in one note line. The default says nothing.
 */

import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_WORKERS_PER_CORE } from "../src/pool/scan-options.js";
import { runCli } from "./helpers/cli.js";
import { scratchDir } from "./helpers/fixtures.js";
import { flatRecord, TRUE_POSITIVE } from "./helpers/seed-events.js";

describe("CLI", () => {
  const scratch = scratchDir("lds-cli-options-");

  it("-j 1000 runs with at most 4 threads per core and one note line", () => {
    const r = runCli(["scan", "-j", "1000", "--no-progress", "demo/"]);
    expect(r.status).toBe(1);
    const notes = r.stderr.split("\n").filter((l) => l.includes("note:"));
    // demo/ is two small files (one batch) and an archive (one task): two threads in all.
    expect(notes).toEqual(["lsass-dump-scan: note: workers lowered from 1000 to 2 (2 tasks to run)"]);
  });

  it("-j 1000 with many tasks: at most 4 threads per core", () => {
    const file = join(scratch, "big.jsonl");
    writeFileSync(file, `${flatRecord(TRUE_POSITIVE)}\n`.repeat(200));
    const r = runCli(["scan", "-j", "1000", "--shard-size", "4k", "--no-progress", file]);
    expect(r.status).toBe(1);
    const cores = availableParallelism();
    const most = MAX_WORKERS_PER_CORE * cores;
    expect(r.stderr).toContain(
      `note: workers lowered from 1000 to ${most} (at most 4 per core on ${cores} core${cores === 1 ? "" : "s"})`,
    );
    expect(r.stderr).toMatch(/200 events matched, 1 alert/);
  });

  it("no note when the worker count is the default", () => {
    const r = runCli(["scan", "--no-progress", "demo/"]);
    expect(r.stderr).not.toContain("note:");
  });
});
