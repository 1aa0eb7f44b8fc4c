/**
 * The bundled CLI on a real terminal, as a user at a shell meets it: stderr and stdout a
 * pseudo-terminal (util-linux `script`), so the progress bar is drawn and the table is fitted.
 * Every other CLI test pipes both streams, which is how `scan` crashed on every terminal with
 * "internal error: SingleBar is not a constructor" (cli-progress bundled) unseen.
 */

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/cli.js";

const SCRIPT = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;
if (!SCRIPT) console.warn("cli-terminal: skipped, no `script` (apt-get install -y bsdutils)");

/** Runs `lsass-dump-scan ...args` on a pseudo-terminal `columns` wide; output is both streams, as the terminal shows them. */
function runOnTerminal(args: readonly string[], columns: number): { status: number | null; screen: string } {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const command = `stty cols ${columns} rows 40; ${[process.execPath, CLI, ...args].map(quote).join(" ")}`;
  const r = spawnSync("script", ["-qec", command, "/dev/null"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, TERM: "xterm" },
    timeout: 60_000,
  });
  return { status: r.status, screen: r.stdout };
}

describe.skipIf(!SCRIPT)("scan on a terminal", () => {
  it("draws the progress bar and prints the rows (exit 1), no internal error", () => {
    const { status, screen } = runOnTerminal(["scan", join(ROOT, "demo")], 200);
    expect(screen).not.toContain("internal error");
    expect(screen).toContain("100%");
    expect(screen).toContain("Creation of lsass Dump with Taskmgr");
    expect(screen).toContain("DESKTOP-XFZHTNE.corp.contoso.com");
    expect(screen).toContain("1 alert in");
    expect(status).toBe(1);
  });

  it("fits the table to an 80-column terminal by leaving out risk_score and process_name", () => {
    const { status, screen } = runOnTerminal(["scan", join(ROOT, "demo"), "--no-progress", "-q"], 80);
    expect(status).toBe(1);
    const header = screen.split(/\r?\n/).find((line) => line.startsWith("dest"));
    expect(header).toBeDefined();
    expect(header).not.toContain("risk_score");
    expect(header).not.toContain("process_name");
    for (const line of screen.split(/\r?\n/)) expect([...line].length).toBeLessThanOrEqual(80);
  });
});
