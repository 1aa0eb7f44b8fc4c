/**
 * Where rows go, as a user meets it: a failed write to stdout (`> /dev/full`, a reader that
 * closed the pipe) is one line and exit status 2, never a stack trace with status 1 (which
 * means "alerts found").
 */

import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLI, ROOT, runCli } from "./helpers/cli.js";

/** Runs the CLI with stdout on `fd`, or on a pipe whose reader is gone before the rows come. */
function runTo(
  args: readonly string[],
  stdout: number | "closed-pipe",
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      stdio: ["ignore", stdout === "closed-pipe" ? "pipe" : stdout, "pipe"],
    });
    if (stdout === "closed-pipe") child.stdout?.destroy();
    let stderr = "";
    child.stderr?.on("data", (b: Buffer) => {
      stderr += b.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

describe("stdout write failures", () => {
  it.skipIf(!existsSync("/dev/full"))("> /dev/full: one line, exit 2", async () => {
    const fd = openSync("/dev/full", "w");
    try {
      const r = await runTo(["scan", "--no-progress", "demo/"], fd);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe("lsass-dump-scan: stdout: cannot write output: no space left on device\n");
    } finally {
      closeSync(fd);
    }
  });

  it("a closed pipe (EPIPE): one line, exit 2", async () => {
    const r = await runTo(["scan", "--no-progress", "--format", "jsonl", "demo/"], "closed-pipe");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("lsass-dump-scan: stdout: cannot write output: the reader closed the pipe (EPIPE)\n");
  });

  it("a normal run still prints rows and the summary", () => {
    const r = runCli(["scan", "--no-progress", "--format", "jsonl", "demo/"]);
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/1 alert/);
  });
});
