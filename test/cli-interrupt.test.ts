/**
 * Issue 4: Ctrl-C (SIGINT) stops the workers cleanly: the rows found so far are printed, the
 * exit status is 130, and nothing hangs or prints a stack trace.
 */

import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateCorpus } from "../src/generate/corpus.js";
import { CLI, tempDir } from "./helpers/cli.js";
import { TRUE_POSITIVE, xmlEvent } from "./helpers/seed-events.js";

/** Starts the CLI with `args`, collecting what it writes. */
function startCli(args: string[], stdin: "ignore" | "pipe") {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: [stdin, "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  child.stdout?.on("data", (d) => {
    out.stdout += d;
  });
  child.stderr?.on("data", (d) => {
    out.stderr += d;
  });
  return { child, out };
}

it("SIGINT mid-scan stops the pool and exits 130", async () => {
  const dir = tempDir();
  const big = join(dir, "big.xml");
  await generateCorpus({ format: "xml", size: 96 * 1024 * 1024, seed: 5, hitsPerGb: 64, out: big });
  // The reference engine parses every event (tens of MB/s), so the scan is still running when
  // the signal comes.
  const { child, out } = startCli(["scan", big, "--engine", "reference", "--shard-size", "4m"], "ignore");
  // Long enough for the CLI to start under load, short of the scan's end (~15 s here).
  await new Promise((resolve) => setTimeout(resolve, 2500));
  child.kill("SIGINT");
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(code).toBe(130);
  expect(out.stderr).toContain("interrupted");
  expect(out.stderr).not.toMatch(/\n\s+at /);
  expect(out.stdout.length).toBeGreaterThan(0);
});

describe("sweep: a signal while standard input is quiet", () => {
  // `tail -f log | lsass-dump-scan scan -`: before, a signal waited for the writer (here
  // forever); SIGTERM (kill, timeout, systemd) killed the process and lost the rows.
  it.each([
    ["SIGINT", 130, "interrupted"],
    ["SIGTERM", 143, "terminated (SIGTERM)"],
  ] as const)("%s ends the read at once, prints the rows so far and exits %i", async (signal, status, said) => {
    const { child, out } = startCli(["scan", "-", "--no-progress", "-f", "jsonl"], "pipe");
    // One true positive, and the pipe stays open (the writer is alive but quiet).
    child.stdin?.write(`${xmlEvent({ ...TRUE_POSITIVE, computer: "QUIET-PIPE" })}\n`);
    // Time for the CLI to start and read it under load.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const started = Date.now();
    child.kill(signal);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin?.destroy();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(code).toBe(status);
    expect(out.stderr).toContain(`lsass-dump-scan: ${said}: workers stopped`);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(out.stdout).dest).toBe("QUIET-PIPE");
  });
});
