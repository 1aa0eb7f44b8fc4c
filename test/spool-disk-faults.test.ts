/**
 * The spool when the disk fails under it: the folder cannot be made (a file where `hec/`
 * goes), and a disk that is full (a tiny tmpfs: needs root and mount, else skipped) at the
 * first alert or in the middle of an append. Alerts the spool cannot take are sent from memory
 * (as Fluent Bit does when its filesystem buffer fails), and those not delivered are counted
 * as lost, not as spooled; the sink is not stuck: once the disk is back the next alerts are
 * spooled and sent, nothing torn is left for `deliver` to trip on, and no lock is left without
 * its segment. A long-lived sink (follow
 * mode) whose done marks cannot be written pauses and goes on, as it does for the destination.
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hecSink } from "../src/sinks/hec-sink.js";
import { flatLogWithHosts, sampleRows } from "./helpers/alert-rows.js";
import { runCliAsync, tempDir } from "./helpers/cli.js";
import { closedPort, type StandInHec, startHec } from "./helpers/hec-server.js";

const TOKEN = "9d2c4e7a-51b3-4f08-b6e2-0a8f3c1d7e54";
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function hec(): Promise<StandInHec> {
  const server = await startHec({ token: TOKEN });
  cleanups.push(() => server.close());
  return server;
}

/** A tmpfs of `kib` KiB mounted on a new temp folder, or undefined when this process may not mount. */
function tinyDisk(kib: number): string | undefined {
  const dir = tempDir("lds-tmpfs-");
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${kib}k,mode=700`, "tmpfs", dir], { stdio: "ignore" });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  cleanups.push(() => {
    execFileSync("umount", [dir], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const CAN_MOUNT = (() => {
  if (process.getuid?.() !== 0) return false;
  const dir = tinyDisk(8);
  if (dir === undefined) return false;
  execFileSync("umount", [dir], { stdio: "ignore" });
  cleanups.pop();
  rmSync(dir, { recursive: true, force: true });
  return true;
})();

async function until(ready: () => boolean, what: string, ms = 10_000): Promise<void> {
  const stopAt = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > stopAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the spool when the disk fails", () => {
  it("a spool whose folder cannot be made: those alerts are sent from memory; once fixed, the next are spooled and sent", async () => {
    const server = await hec();
    const spool = tempDir("lds-spool-");
    writeFileSync(join(spool, "hec"), "not a folder");
    const notes: string[] = [];
    const sink = hecSink(
      { url: server.url, token: TOKEN },
      { spoolDir: spool, deliverTimeoutMs: 2_000, onNote: (l) => notes.push(l) },
    );
    // Before, the write was refused: those alerts were never sent.
    await sink.write(sampleRows(2, "A"));
    expect(notes.join("\n")).toMatch(
      /: spool .*: cannot create a segment: .*; 2 alerts \(and any more while this lasts\) sent from memory \(not spooled: lost if not delivered before this process ends\)$/,
    );
    // The same failure again (a follower's next alert): no second line.
    await sink.write(sampleRows(1, "C"));
    expect(notes).toHaveLength(1);
    rmSync(join(spool, "hec"));
    // Before, the failed segment was kept: every later write failed the same way for the sink's life.
    await sink.write(sampleRows(3, "B"));
    const summary = await sink.close();
    expect(summary).toMatchObject({ delivered: 6, spooled: 0, unspooled: 0, undelivered: 0 });
    expect(summary.spoolError).toMatch(/cannot create a segment/);
    expect(notes.at(-1)).toMatch(/: the spool takes alerts again$/);
    expect(server.indexed.map((e) => e.host).sort()).toEqual(
      [...sampleRows(2, "A"), ...sampleRows(1, "C"), ...sampleRows(3, "B")].map((r) => r.dest).sort(),
    );
    expect(readdirSync(join(spool, "hec"))).toEqual([]);
  });

  it("CLI: a spool that cannot be written still delivers every alert (exit 1, the note on stderr); undelivered ones are counted as lost (exit 2)", async () => {
    const server = await hec();
    const dir = tempDir("lds-spool-cli-");
    const log = join(dir, "four.jsonl");
    writeFileSync(log, flatLogWithHosts(4));
    const spool = join(dir, "spool");
    mkdirSync(spool);
    writeFileSync(join(spool, "hec"), "not a folder");
    const env = { ...process.env, SPLUNK_HEC_TOKEN: TOKEN };
    const sent = await runCliAsync(["scan", log, "-q", "--hec", server.url, "--spool", spool], env);
    expect(sent.status).toBe(1);
    expect(server.indexed).toHaveLength(4);
    expect(sent.stderr).toMatch(
      /cannot create a segment: .*; 4 alerts \(and any more while this lasts\) sent from memory/,
    );
    expect(sent.stderr).not.toContain(TOKEN);

    const port = await closedPort();
    const args = [
      "scan",
      log,
      "-q",
      "--hec",
      `http://127.0.0.1:${port}`,
      "--spool",
      spool,
      "--deliver-timeout",
      "300ms",
    ];
    const lost = await runCliAsync(args, env);
    expect(lost.status).toBe(2);
    expect(lost.stderr).toMatch(
      /4 alerts neither delivered nor spooled \(the spool could not be written\); only the rows printed show them\n$/,
    );
    expect(lost.stderr).not.toMatch(/kept in the spool|resend with/);
  });

  it("a long-lived sink (follow mode) whose done marks cannot be written pauses and goes on once they can, instead of stopping for good", async () => {
    const server = await startHec({ token: TOKEN, answerDelayMs: 300 });
    cleanups.push(() => server.close());
    const spool = tempDir("lds-spool-");
    const notes: string[] = [];
    const sink = hecSink(
      { url: server.url, token: TOKEN },
      { spoolDir: spool, deliverTimeoutMs: 2_000, resumeAfterMs: 300, onNote: (l) => notes.push(l) },
    );
    await sink.write(sampleRows(2));
    // While HEC takes its time, the done file cannot be written (a folder in its place: EISDIR,
    // as a full disk's ENOSPC would fail it).
    const segment = readdirSync(join(spool, "hec")).find((n) => n.endsWith(".ndjson"))!;
    const done = join(spool, "hec", segment.replace(/\.ndjson$/, ".done"));
    mkdirSync(done);
    await until(() => notes.some((n) => /cannot write .*\.done.*trying again in/.test(n)), "the pause");
    rmSync(done, { recursive: true });
    await until(() => server.indexed.length >= 4, "the batch sent again");
    const summary = await sink.close();
    // Delivered once marked; HEC saw the batch twice (the first time it was not marked), same ids.
    expect(summary).toMatchObject({ delivered: 2, spooled: 0, stopped: undefined });
    expect(new Set(server.indexed.map((e) => e.event.alert_id)).size).toBe(2);
    expect(readdirSync(join(spool, "hec"))).toEqual([]);
  });

  it("a segment that cannot be released at the end (its lock not removable) is a note, not a throw from close(): the alerts count as spooled", async () => {
    const port = await closedPort();
    const spool = tempDir("lds-spool-");
    const notes: string[] = [];
    const sink = hecSink(
      { url: `http://127.0.0.1:${port}`, token: TOKEN },
      { spoolDir: spool, deliverTimeoutMs: 200, onNote: (l) => notes.push(l) },
    );
    await sink.write(sampleRows(3));
    const lock = join(spool, "hec", readdirSync(join(spool, "hec")).find((n) => n.endsWith(".lock"))!);
    rmSync(lock);
    mkdirSync(lock); // a folder where the lock was: removing it fails as on a read-only file system
    writeFileSync(join(lock, "x"), "");
    // Before, close() rejected: the CLI lost the summary and the count of alerts left.
    const summary = await sink.close();
    expect(summary).toMatchObject({ delivered: 0, spooled: 3, undelivered: 3 });
    expect(notes.at(-1)).toMatch(/: spool .*: cannot finish .*\.ndjson: /);
  });

  it.skipIf(!CAN_MOUNT)("a full disk at the first alert leaves no lock behind (root and mount needed)", async () => {
    const disk = tinyDisk(8)!;
    writeFileSync(join(disk, "fill"), Buffer.alloc(8 * 1024));
    const port = await closedPort();
    const sink = hecSink({ url: `http://127.0.0.1:${port}`, token: TOKEN }, { spoolDir: disk, deliverTimeoutMs: 300 });
    await sink.write(sampleRows(2));
    const summary = await sink.close();
    expect(summary).toMatchObject({ delivered: 0, spooled: 0, unspooled: 2, undelivered: 2 });
    expect(summary.spoolError).toMatch(/cannot create a segment: no space left on device/);
    expect(summary.detail).toMatch(/0 spooled, 0 dead-lettered, 2 lost \(not spooled\)/);
    expect(readdirSync(join(disk, "hec"))).toEqual([]);
  });

  it.skipIf(!CAN_MOUNT)(
    "a disk that fills in the middle of an append: nothing torn is left, the next alerts read back whole (root and mount needed)",
    async () => {
      const disk = tinyDisk(16)!;
      mkdirSync(join(disk, "hec"), { mode: 0o700 });
      // 8 KiB taken: the lock takes a 4 KiB page, 4 KiB stay for alerts (~550 bytes each).
      writeFileSync(join(disk, "fill"), Buffer.alloc(8 * 1024));
      const port = await closedPort();
      const url = `http://127.0.0.1:${port}`;
      const sink = hecSink({ url, token: TOKEN }, { spoolDir: disk, deliverTimeoutMs: 200 });
      await sink.write(sampleRows(20, "A"));
      rmSync(join(disk, "fill"));
      await sink.write(sampleRows(3, "B"));
      const summary = await sink.close();
      expect(summary).toMatchObject({ delivered: 0, spooled: 3, unspooled: 20, undelivered: 23 });
      expect(summary.spoolError).toMatch(/cannot write .*\.ndjson: no space left on device/);

      const server = await hec();
      const resend = hecSink({ url: server.url, token: TOKEN }, { spoolDir: disk, deliverTimeoutMs: 2_000 });
      const resumed = await resend.resumeSpool();
      // Before, the torn start of the first append was glued to the first alert of the second.
      expect(resumed).toMatchObject({ queued: 3, damaged: [] });
      await resend.close();
      expect(server.indexed.map((e) => e.host)).toEqual(sampleRows(3, "B").map((r) => r.dest));
    },
  );
});
