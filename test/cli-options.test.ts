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
import { makeZip } from "./helpers/inputs-fixtures.js";
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

describe("sweep: an option that would do nothing, or something silly, is one line before the scan", () => {
  it.each([
    [["-o", ""], '--output wants a file name, got ""'],
    [["-s", " "], '--suppress wants a file name, got " "'],
    [["--follow", "--state", ""], '--state wants a file name, got ""'],
    // 99999t is more bytes than a double holds exactly: the flag is named, not `shardSize`.
    [["--shard-size", "99999t"], '--shard-size wants a size of at least 4k, like 4k, 64m or 1g, got "99999t"'],
    // Before: the URL was checked after the scan, the rows printed, then status 2.
    [["--webhook", "ftp://x"], '--webhook wants an http(s) URL like https://soar.example/hooks/lsass, got "ftp:"'],
    [
      ["--webhook", "https://u:p@[bad/x?sig=S3CRET"],
      '--webhook wants a URL like https://soar.example/hooks/lsass, got "https://[bad/x?REDACTED"',
    ],
    [["--hec", "file:///etc/passwd"], '--hec wants an http(s) URL like https://splunk:8088, got "file:"'],
    // Before: an empty --spool spooled into the current directory.
    [["--webhook", "http://127.0.0.1:9/", "--spool", ""], "--spool wants a directory, got an empty name"],
    // Before: silently ignored.
    [["--spool", "outbox"], "--spool needs --hec or --webhook"],
    [["--deliver-timeout", "5s"], "--deliver-timeout needs --hec or --webhook"],
    [["--webhook", "http://127.0.0.1:9/", "--hec-ack"], "--hec-ack needs --hec"],
    [["--cluster-timeout", "5"], "--cluster-timeout needs --cluster"],
    // Before: the smallest interval was not said.
    [
      ["--follow", "--poll-interval", "5ms"],
      '--poll-interval wants a duration like 500ms, 30s, 15m or 24h (at least 10ms), got "5ms"',
    ],
  ])("%j", (args, line) => {
    const r = runCli(["scan", "--no-progress", ...args, "demo/"], { input: "" });
    expect(r.stderr).toBe(`lsass-dump-scan: ${line}\n`);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
  });
});

describe("sweep: what the user typed and names from inputs never drive the terminal on stderr", () => {
  const scratch = scratchDir("lds-cli-escapes-");

  it("an unknown option is quoted escaped, in every command", () => {
    for (const command of ["scan", "deliver", "serve", "generate"]) {
      const r = runCli([command, "--x\u001b[2J", "demo/"]);
      expect(r.stderr, command).toContain("error: unknown option '--x\\x1b[2J'");
      expect(r.stderr).not.toContain("\u001b");
      expect(r.status).toBe(2);
    }
  });

  it("a warning names its archive escaped", () => {
    // A zip with bytes after its end record: read in full, and a warning naming it.
    const zip = join(scratch, "w\u001b]0;title\u0007.zip");
    writeFileSync(
      zip,
      Buffer.concat([makeZip([{ name: "a.jsonl", data: `${flatRecord(TRUE_POSITIVE)}\n` }]), Buffer.from("JUNK")]),
    );
    const r = runCli(["scan", "--no-progress", "-q", zip]);
    expect(r.stderr).toContain("lsass-dump-scan: warning: ");
    expect(r.stderr).toContain("w\\x1b]0;title\\x07.zip: ");
    expect(r.stderr).not.toMatch(/[\u0007\u001b]/);
  });

  it("a suppression file's name and line are escaped", () => {
    const list = join(scratch, "fp\u001b[1m.txt");
    writeFileSync(list, "host=\u001b[2J\n");
    const r = runCli(["scan", "--no-progress", "-s", list, "demo/"]);
    expect(r.stderr).toContain("fp\\x1b[1m.txt:1: ");
    expect(r.stderr).toContain('got "host=\\x1b[2J"');
    expect(r.status).toBe(2);
  });
});
