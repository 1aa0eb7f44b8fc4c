/**
 * Runs the built CLI as a child process without blocking the test's event loop, so a stand-in
 * server in the same test process can answer it (spawnSync would deadlock), with an environment
 * of the test's choosing; the child can be killed mid-run.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { CLI, type CliRun, ROOT } from "./cli.js";

/** A running CLI child and the promise of its result. */
export interface CliChild {
  child: ChildProcess;
  done: Promise<CliRun & { signal: NodeJS.Signals | null }>;
}

/** Starts `lsass-dump-scan ...args` with `env` added to a copy of this process's environment minus secrets. */
export function startCli(args: readonly string[], env: Record<string, string | undefined> = {}): CliChild {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const base = { ...process.env };
  delete base.SPLUNK_HEC_TOKEN;
  delete base.LSASS_DUMP_SCAN_WEBHOOK_SECRET;
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...base, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  const done = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the CLI to the end (see {@link startCli}). */
export function runCliAsync(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  return startCli(args, env).done;
}
