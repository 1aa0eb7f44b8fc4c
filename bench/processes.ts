/**
 * Running the command-line tools a benchmark compares (our CLI, cat, rg, gzip) and reading
 * their peak memory with GNU time. Tools that are not installed are reported as missing, so a
 * suite can skip them with a note instead of failing.
 */

import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./data-store.js";

/** The CLI as built by `npm run build:bench` (compiled from the same sources as the suites). */
export const CLI_PATH = join(REPO_ROOT, "dist-bench", "src", "cli", "main.js");

/** What a finished process left. */
export interface ProcessResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  /** Standard output, when it was captured. */
  stdout: string;
  stderr: string;
  /** True when it was killed for running past its time limit. */
  timedOut: boolean;
}

/** Options of {@link runProcess}. */
export interface RunOptions {
  /** Send standard output to /dev/null (true) or capture it (false). */
  discardStdout?: boolean;
  /** Kill it after this many ms. */
  timeoutMs?: number;
  /** A file to feed to standard input (default: none). */
  stdinFile?: string;
  /** Variables added to this process's environment for it. */
  env?: Record<string, string>;
}

/** Runs a command to its end, without a shell. */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const devNull = options.discardStdout ? openSync("/dev/null", "w") : undefined;
    const stdin = options.stdinFile === undefined ? "ignore" : openSync(options.stdinFile, "r");
    const env = options.env === undefined ? undefined : { ...process.env, ...options.env };
    const child = spawn(command, args, { stdio: [stdin, devNull ?? "pipe", "pipe"], env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs);
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      if (devNull !== undefined) closeSync(devNull);
      if (typeof stdin === "number") closeSync(stdin);
    };
    child.on("error", (e) => {
      cleanup();
      reject(e);
    });
    child.on("close", (status, signal) => {
      cleanup();
      resolve({
        status,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        timedOut,
      });
    });
  });
}

/** The path of an installed program, or undefined. */
export function which(program: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" });
  const path = r.stdout.trim();
  return r.status === 0 && path !== "" ? path : undefined;
}

/** GNU time, when installed (`apt-get install time`): it reports a process's peak RSS. */
export function gnuTime(): string | undefined {
  return existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
}

/** Peak resident set size in bytes from GNU `time -v` output, or undefined. */
export function peakRssFrom(timeOutput: string): number | undefined {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(timeOutput);
  return m === null ? undefined : Number(m[1]) * 1024;
}

/** How many events the CLI's summary line says matched, or undefined. */
export function matchedEventsFrom(cliStderr: string): number | undefined {
  const m = /(\d+) events? matched/.exec(cliStderr);
  return m === null ? undefined : Number(m[1]);
}

/** Arguments that run the CLI's scan on `inputs` with `engine`, rows as JSON lines on stdout. */
export function cliScanArgs(inputs: readonly string[], engine: string, extra: readonly string[] = []): string[] {
  return [CLI_PATH, "scan", ...inputs, "--engine", engine, "--no-progress", "--format", "jsonl", ...extra];
}

/**
 * Checks a CLI run: exit status 0 or 1 (1 = alerts) and the expected number of matched events.
 * Throws with the CLI's stderr otherwise.
 */
export function checkCliRun(result: ProcessResult, expectedMatches: number, what: string): void {
  if (result.timedOut) throw new Error(`${what}: timed out`);
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${what}: exit status ${result.status ?? result.signal}: ${result.stderr.trim()}`);
  }
  const matched = matchedEventsFrom(result.stderr);
  if (matched !== expectedMatches) {
    throw new Error(
      `wrong answer: ${what} reported ${matched ?? "no count"} matched events, expected ${expectedMatches} (${result.stderr.trim()})`,
    );
  }
}
