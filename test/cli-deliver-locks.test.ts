/**
 * `deliver` and the spool's locks as they are found after real outages: a segment a live
 * process holds is left alone, and `deliver` says its alerts are still waiting (exit 2, not 0);
 * a lock left before a reboot names a process id that now belongs to some other process, and
 * is taken over (the lock records the boot it was written in).
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { flatLogWithHosts } from "./helpers/alert-rows.js";
import { tempDir } from "./helpers/cli.js";
import { runCliAsync } from "./helpers/cli-async.js";
import { closedPort, type StandInHec, startHec } from "./helpers/hec-server.js";

const TOKEN = "0c6f2a9e-3b71-4d58-a1e4-7f2d9b6c8e30";
const BOOT_ID = "/proc/sys/kernel/random/boot_id";
const servers: StandInHec[] = [];

afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

/** A spool holding one segment of 5 undelivered alerts (a scan while HEC was down). */
async function filledSpool(): Promise<{ spool: string; lock: string }> {
  const dir = tempDir("lds-locks-");
  const log = join(dir, "five.jsonl");
  writeFileSync(log, flatLogWithHosts(5));
  const spool = join(dir, "spool");
  const port = await closedPort();
  const run = await runCliAsync(
    ["scan", log, "-q", "--hec", `http://127.0.0.1:${port}`, "--spool", spool, "--deliver-timeout", "300ms"],
    { SPLUNK_HEC_TOKEN: TOKEN },
  );
  expect(run.status).toBe(2);
  const segment = readdirSync(join(spool, "hec")).find((n) => n.endsWith(".ndjson"));
  expect(segment).toBeDefined();
  return { spool, lock: join(spool, "hec", segment!.replace(/\.ndjson$/, ".lock")) };
}

describe("deliver and the spool's locks", () => {
  it("a segment a running process holds is left alone, and deliver exits 2: its alerts are still waiting", async () => {
    const { spool, lock } = await filledSpool();
    const boot = existsSync(BOOT_ID) ? ` ${readFileSync(BOOT_ID, "utf8").trim()}` : "";
    writeFileSync(lock, `${process.pid}${boot}\n`); // this test runner: alive
    const server = await startHec({ token: TOKEN });
    servers.push(server);
    const d = await runCliAsync(["deliver", "--spool", spool, "--hec", server.url], { SPLUNK_HEC_TOKEN: TOKEN });
    expect(d.stderr).toMatch(
      /another running lsass-dump-scan is delivering it; left alone \(its alerts are still in the spool\)/,
    );
    expect(d.status).toBe(2);
    expect(server.indexed).toHaveLength(0);
  });

  it.skipIf(!existsSync(BOOT_ID))(
    "a lock from before a reboot (its process id now another process's) is taken over: every alert sent",
    async () => {
      const { spool, lock } = await filledSpool();
      // PID 1 always runs; the boot id is not this boot's.
      writeFileSync(lock, "1 00000000-0000-4000-8000-000000000000\n");
      const server = await startHec({ token: TOKEN });
      servers.push(server);
      const d = await runCliAsync(["deliver", "--spool", spool, "--hec", server.url], { SPLUNK_HEC_TOKEN: TOKEN });
      expect(d.stderr).toMatch(/deliver: 5 alerts in the spool, HEC: 5 sent, 0 spooled, 0 dead-lettered/);
      expect(d.status).toBe(0);
      expect(server.indexed).toHaveLength(5);
      expect(readdirSync(join(spool, "hec"))).toEqual([]);
    },
  );
});
