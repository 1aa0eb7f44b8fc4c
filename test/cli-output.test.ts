/**
 * Where rows go, as a user meets it: a failed write to stdout (`> /dev/full`, a reader that
 * closed the pipe) is one line and exit status 2, never a stack trace with status 1 (which
 * means "alerts found"); `-o` is checked before the scan, `-o -` is stdout, and the output file
 * is not scanned when it lies in a scanned folder.
 */

import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  cpSync,
  existsSync,
  linkSync,
  mkdtempSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, ROOT, runCli } from "./helpers/cli.js";
import { scratchDir } from "./helpers/fixtures.js";

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

  it.skipIf(!existsSync("/dev/full"))(
    "sweep: --help and --version that cannot be written: one line, exit 2",
    async () => {
      // Before: commander's write threw an unhandled 'error' event, a stack trace.
      const fd = openSync("/dev/full", "w");
      try {
        for (const args of [["--version"], ["--help"], ["scan", "--help"], ["deliver", "--help"]]) {
          const r = await runTo(args, fd);
          expect(r.stderr, args.join(" ")).toBe(
            "lsass-dump-scan: stdout: cannot write output: no space left on device\n",
          );
          expect(r.status).toBe(2);
        }
      } finally {
        closeSync(fd);
      }
      const piped = await runTo(["scan", "--help"], "closed-pipe");
      expect(piped.stderr).toBe("lsass-dump-scan: stdout: cannot write output: the reader closed the pipe (EPIPE)\n");
      expect(piped.status).toBe(2);
    },
  );

  it("a normal run still prints rows and the summary", () => {
    const r = runCli(["scan", "--no-progress", "--format", "jsonl", "demo/"]);
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/1 alert/);
  });
});

describe("--output", () => {
  const DEMO_ROW = readFileSync(join(ROOT, "test", "fixtures", "demo-expected.jsonl"), "utf8");

  const scratch = scratchDir("lds-cli-output-");

  it("is checked before scanning: a missing directory or a directory is one line, exit 2, nothing read", () => {
    const dir = mkdtempSync(join(scratch, "check-"));
    for (const [output, why] of [
      [join(dir, "no-such", "rows.jsonl"), `no such directory ${join(dir, "no-such")}`],
      [dir, "is a directory"],
    ]) {
      // `-` would wait for standard input if the scan started: the check comes first.
      const r = runCli(["scan", "--no-progress", "-o", output as string, "-"], { input: "" });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`lsass-dump-scan: ${output}: cannot write output: ${why}\n`);
      expect(r.stdout).toBe("");
    }
  });

  it("- is standard output", () => {
    const r = runCli(["scan", "--no-progress", "-f", "jsonl", "-o", "-", "demo/"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(DEMO_ROW);
  });

  it("sweep: an input named as --output is refused before the scan, not overwritten with the rows", () => {
    // Before: the log was scanned, then replaced by the table of its own alerts.
    const dir = mkdtempSync(join(scratch, "is-input-"));
    const log = join(dir, "sysmon.json");
    const original = readFileSync(join(ROOT, "demo", "fs02-evtx_dump.json"));
    writeFileSync(log, original);
    linkSync(log, join(dir, "hard.json"));
    symlinkSync(log, join(dir, "link.json"));
    for (const [args, output, why] of [
      [[log], log, ""],
      [[join(dir, "link.json")], log, ` (${join(dir, "link.json")})`],
      [["demo/", log], join(dir, "hard.json"), ` (${log})`],
    ] as const) {
      const r = runCli(["scan", "--no-progress", "-o", output, ...args]);
      expect(r.stderr).toBe(
        `lsass-dump-scan: ${output}: cannot write output: it is also an input${why}, and the rows would replace it\n`,
      );
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(readFileSync(log)).toEqual(original);
    }
    // `scan - -o sysmon.json < sysmon.json`
    const fd = openSync(log, "r");
    try {
      const r = spawnSync(process.execPath, [CLI, "scan", "--no-progress", "-o", log, "-"], {
        cwd: ROOT,
        stdio: [fd, "pipe", "pipe"],
        encoding: "utf8",
      });
      expect(r.stderr).toBe(
        `lsass-dump-scan: ${log}: cannot write output: it is also an input (standard input), and the rows would replace it\n`,
      );
      expect(r.status).toBe(2);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(log)).toEqual(original);
  });

  it("a file inside a scanned folder is not scanned (nor counted), on a second run too", () => {
    const dir = mkdtempSync(join(scratch, "in-folder-"));
    cpSync(join(ROOT, "demo"), dir, { recursive: true });
    const out = join(dir, "alerts.jsonl");
    // A previous run's rows are JSON lines the scanner would read as a log: still not scanned.
    for (let run = 0; run < 2; run++) {
      const r = runCli(["scan", "--no-progress", "-f", "jsonl", "-o", out, dir]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^lsass-dump-scan: 3 inputs, .*1 alert in /);
      expect(readFileSync(out, "utf8")).toBe(DEMO_ROW);
    }
  });

  it("a log inside a scanned folder named as the output is refused and kept, not replaced unread", () => {
    const dir = mkdtempSync(join(scratch, "in-folder-"));
    cpSync(join(ROOT, "demo"), dir, { recursive: true });
    const log = join(dir, "fs02-evtx_dump.json");
    const original = readFileSync(log);
    const r = runCli(["scan", "--no-progress", "-o", log, dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /fs02-evtx_dump\.json: cannot write output: it is a file in the scanned folder .* not rows this command wrote/,
    );
    expect(r.stdout).toBe("");
    expect(readFileSync(log)).toEqual(original);
  });

  it("every output format, rows or --events, empty or not, may be written again in the scanned folder", () => {
    const dir = mkdtempSync(join(scratch, "in-folder-"));
    cpSync(join(ROOT, "demo"), dir, { recursive: true });
    const empty = mkdtempSync(join(scratch, "empty-"));
    writeFileSync(join(empty, "notes.csv"), "a,b\n1,2\n");
    for (const format of ["table", "jsonl", "json", "csv"])
      for (const events of [[], ["--events"]])
        for (const [folder, status] of [
          [dir, 1],
          [empty, 2],
        ] as const) {
          const out = join(folder, `out-${format}${events.length}.txt`);
          for (let run = 0; run < 2; run++) {
            const r = runCli(["scan", "-q", "--no-progress", "-f", format, ...events, "-o", out, folder]);
            expect(r.stderr, `${format} ${events} ${folder} run ${run}`).not.toContain("cannot write");
            expect(r.status).toBe(status);
          }
        }
  });
});
