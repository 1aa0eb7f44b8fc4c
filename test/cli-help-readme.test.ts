/**
 * `--help` and the README tell a first-time user the same things: every option each command's
 * help lists is documented in the README, every archive kind the README's table reads is named
 * in `scan --help`, and the help's exit statuses are the README's.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "./helpers/cli.js";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The long options a command's help lists (`--format`, `--no-progress`, ...). */
function helpOptions(command: string): string[] {
  const r = runCli([command, "--help"]);
  expect(r.status).toBe(0);
  const options = [...r.stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1] as string);
  expect(options.length).toBeGreaterThan(1);
  return options.filter((o) => o !== "--help");
}

describe("--help against the README", () => {
  for (const command of ["scan", "generate", "serve", "deliver", "worker"]) {
    it(`every option of ${command} --help is in the README`, () => {
      const missing = helpOptions(command).filter((o) => !new RegExp(`${o}(?![a-z0-9-])`).test(README));
      expect(missing).toEqual([]);
    });
  }

  it("scan --help names every archive and compression the README's table reads", () => {
    const table = README.slice(README.indexOf("### Archives and compressions"), README.indexOf("### EVTX"));
    const inputs = runCli(["scan", "--help"]).stdout.replace(/\s+/g, " ");
    for (const [kind, extension] of [
      ["gzip", ".gz"],
      ["xz", ".xz"],
      ["bzip2", ".bz2"],
      ["Zstandard", ".zst"],
      ["tar", ".tar"],
      ["zip", ".zip"],
      ["7z", ".7z"],
    ] as const) {
      expect(table).toContain(`| ${kind} `);
      expect(inputs).toContain(extension);
    }
  });

  it("scan --help's exit statuses are the README's", () => {
    const help = runCli(["scan", "--help"]).stdout.replace(/\s+/g, " ");
    const table = README.slice(README.indexOf("### Exit status"), README.indexOf("### Encodings"));
    const statuses = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => m[1]);
    expect(statuses).toEqual(["0", "1", "2", "130", "143"]);
    for (const status of statuses) expect(help).toMatch(new RegExp(`[ ,;:]${status} `));
    // The README's status 2 also covers alerts not delivered (--hec, --webhook).
    expect(help).toMatch(/not delivered/);
  });
});
