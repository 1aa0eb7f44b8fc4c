/**
 * Runs the built CLI (the bundled bin, dist/bin/lsass-dump-scan.js) as a user would, capturing stdout, stderr and the
 * exit status. Tests that use it need `npm run build` first (npm install does it).
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The built CLI entry: the bundled bin (scripts/bundle-cli.mjs), what package.json's bin names. */
export const CLI = join(ROOT, "dist", "bin", "lsass-dump-scan.js");
/** The shared public corpus, when this checkout has one beside it. */
export const CORPUS = join(ROOT, "..", "shared", "corpus");
/** True when ../shared/corpus is there. */
export const HAVE_CORPUS = existsSync(join(CORPUS, "EXPECTED.jsonl"));

/** What one CLI run gave. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `lsass-dump-scan ...args`. */
export function runCli(args: readonly string[], options: { input?: string | Buffer; cwd?: string } = {}): CliRun {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: options.input,
    cwd: options.cwd ?? ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory for one test file's fixtures. */
export function tempDir(prefix = "lds-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Runs `lsass-dump-scan ...args` without blocking this process (for tests that serve the CLI
 * from a server in this process, which a synchronous spawn would starve).
 */
export async function runCliAsync(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  const status = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { status, stdout, stderr };
}
