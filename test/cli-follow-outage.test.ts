/**
 * `scan --follow --hec` through a Splunk outage, as a service lives through one: HEC down for
 * longer than --deliver-timeout, then back. The follower must not stop delivering for the rest
 * of its life: the sink pauses and tries again, and alerts raised during and after the outage
 * all reach HEC. A follower stopped while HEC is down leaves its alerts in the spool, and the
 * next follower sends them first.
 */

import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "./helpers/cli.js";
import { type CliChild, startCli } from "./helpers/cli-async.js";
import { closedPort, type StandInHec, startHec } from "./helpers/hec-server.js";
import { flatRecord, TRUE_POSITIVE } from "./helpers/seed-events.js";

const TOKEN = "8e4a1c7b-2f90-4d63-b5e8-0a9c3d7f1e24";
const children: CliChild[] = [];
const servers: StandInHec[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  while (servers.length > 0) await servers.pop()!.close();
});

/** One matching flat JSON line for `host`. */
function line(host: string): string {
  return `${flatRecord({ ...TRUE_POSITIVE, computer: `${host}.corp.example` })}\n`;
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function follower(dir: string, port: number): { run: CliChild; stderr: () => string; alerts: () => number } {
  const run = startCli(
    [
      "scan",
      "--follow",
      dir,
      "--poll-interval",
      "200ms",
      "--state",
      join(dir, "..", "state.json"),
      "--spool",
      join(dir, "..", "spool"),
      "--hec",
      `http://127.0.0.1:${port}`,
      "--deliver-timeout",
      "300ms",
    ],
    { SPLUNK_HEC_TOKEN: TOKEN },
  );
  children.push(run);
  let stderr = "";
  let stdout = "";
  run.child.stderr?.on("data", (s: string) => {
    stderr += s;
  });
  run.child.stdout?.on("data", (s: string) => {
    stdout += s;
  });
  return { run, stderr: () => stderr, alerts: () => stdout.split("\n").filter((l) => l.length > 0).length };
}

const indexedHosts = (server: StandInHec) =>
  [...new Set(server.indexed.map((e) => String(e.host).split(".")[0]))].sort();

describe("scan --follow --hec through a HEC outage", () => {
  it("HEC down longer than --deliver-timeout, then back: the alerts of before, during and after all arrive", async () => {
    const root = tempDir("lds-follow-outage-");
    const dir = join(root, "logs");
    const log = join(dir, "sysmon.jsonl");
    mkdirSync(dir);
    writeFileSync(log, "");
    const port = await closedPort();
    const f = follower(dir, port);
    await new Promise((r) => setTimeout(r, 800));
    appendFileSync(log, line("DOWN1"));
    await until(() => f.alerts() >= 1, 10_000, "the first alert on stdout");
    await until(
      () => /gave up after .*the alerts wait in the spool; trying again in 1\.0 s/.test(f.stderr()),
      10_000,
      "the pause",
    );
    appendFileSync(log, line("DOWN2"));
    await until(() => f.alerts() >= 2, 10_000, "the second alert on stdout");
    const server = await startHec({ token: TOKEN, port });
    servers.push(server);
    appendFileSync(log, line("UP"));
    await until(() => indexedHosts(server).length === 3, 15_000, "all three alerts at HEC");
    expect(indexedHosts(server)).toEqual(["DOWN1", "DOWN2", "UP"]);
    f.run.child.kill("SIGTERM");
    const done = await f.run.done;
    expect(done.status).toBe(0);
    expect(done.stderr).toMatch(/HEC: 3 sent, 0 spooled, 0 dead-lettered/);
    expect(done.stderr).not.toContain(TOKEN);
    expect(readdirSync(join(root, "spool", "hec"))).toEqual([]);
  });

  it("stopped while HEC is down: exit 2, alerts in the spool; the next follower sends them first", async () => {
    const root = tempDir("lds-follow-outage-");
    const dir = join(root, "logs");
    const log = join(dir, "sysmon.jsonl");
    mkdirSync(dir);
    writeFileSync(log, line("EARLY"));
    const port = await closedPort();
    const first = follower(dir, port);
    await until(() => first.alerts() >= 1, 10_000, "the alert on stdout");
    await until(() => /trying again in/.test(first.stderr()), 10_000, "the pause");
    first.run.child.kill("SIGTERM");
    const stopped = await first.run.done;
    expect(stopped.status).toBe(2);
    expect(stopped.stderr).toMatch(/1 alert not delivered \(0 dead-lettered\); kept in the spool/);

    const server = await startHec({ token: TOKEN, port });
    servers.push(server);
    const second = follower(dir, port);
    await until(() => indexedHosts(server).length === 1, 10_000, "the spooled alert at HEC");
    expect(second.stderr()).toMatch(/1 alert left in the spool by an earlier run; sending them/);
    expect(second.alerts()).toBe(0); // not raised again: the state file knows it
    second.run.child.kill("SIGTERM");
    const done = await second.run.done;
    expect(done.status).toBe(0);
    expect(indexedHosts(server)).toEqual(["EARLY"]);
  });
});
