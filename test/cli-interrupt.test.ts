/**
 * Issue 4: Ctrl-C (SIGINT) stops the workers cleanly: the rows found so far are printed, the
 * exit status is 130, and nothing hangs or prints a stack trace.
 */

import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { generateCorpus } from "../src/generate/corpus.js";
import { CLI, tempDir } from "./helpers/cli.js";

it("SIGINT mid-scan stops the pool and exits 130", async () => {
  const dir = tempDir();
  const big = join(dir, "big.xml");
  await generateCorpus({ format: "xml", size: 96 * 1024 * 1024, seed: 5, hitsPerGb: 64, out: big });
  // The reference engine parses every event (tens of MB/s), so the scan is still running when
  // the signal comes.
  const child = spawn(process.execPath, [CLI, "scan", big, "--engine", "reference", "--shard-size", "4m"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  // Long enough for the CLI to start under load, short of the scan's end (~15 s here).
  await new Promise((resolve) => setTimeout(resolve, 2500));
  child.kill("SIGINT");
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(code).toBe(130);
  expect(stderr).toContain("interrupted");
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stdout.length).toBeGreaterThan(0);
});
