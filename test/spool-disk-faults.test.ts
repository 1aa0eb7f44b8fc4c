/**
 * The spool when the disk fails under it: the folder cannot be made (a file where `hec/`
 * goes), and a disk that is full (a tiny tmpfs: needs root and mount, else skipped) at the
 * first alert or in the middle of an append. Each write that cannot spool rejects with
 * LDS_E_SINK (the CLI counts those alerts as not sent and not spooled), and the sink is not
 * stuck: once the disk is back the next alerts are spooled and sent, nothing torn is left for
 * `deliver` to trip on, and no lock is left without its segment. A long-lived sink (follow
 * mode) whose done marks cannot be written pauses and goes on, as it does for the destination.
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ScanError } from "../src/errors.js";
import { hecSink } from "../src/sinks/hec-sink.js";
import { sampleRows } from "./helpers/alert-rows.js";
import { tempDir } from "./helpers/cli.js";
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

async function expectSinkError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScanError);
  expect((err as ScanError).code).toBe("LDS_E_SINK");
  expect((err as ScanError).message).toMatch(message);
}

describe("the spool when the disk fails", () => {
  it("a spool whose folder cannot be made fails that write only: once fixed, the next alerts are spooled and sent", async () => {
    const server = await hec();
    const spool = tempDir("lds-spool-");
    writeFileSync(join(spool, "hec"), "not a folder");
    const sink = hecSink({ url: server.url, token: TOKEN }, { spoolDir: spool, deliverTimeoutMs: 2_000 });
    await expectSinkError(sink.write(sampleRows(2, "A")), /^spool .*: cannot create a segment: /);
    rmSync(join(spool, "hec"));
    // Before, the failed segment was kept: every later write failed the same way for the sink's life.
    await sink.write(sampleRows(3, "B"));
    const summary = await sink.close();
    expect(summary).toMatchObject({ delivered: 3, spooled: 0 });
    expect(server.indexed.map((e) => e.host)).toEqual(sampleRows(3, "B").map((r) => r.dest));
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

  it.skipIf(!CAN_MOUNT)("a full disk at the first alert leaves no lock behind (root and mount needed)", async () => {
    const disk = tinyDisk(8)!;
    writeFileSync(join(disk, "fill"), Buffer.alloc(8 * 1024));
    const port = await closedPort();
    const sink = hecSink({ url: `http://127.0.0.1:${port}`, token: TOKEN }, { spoolDir: disk, deliverTimeoutMs: 300 });
    await expectSinkError(sink.write(sampleRows(2)), /cannot create a segment: no space left on device/);
    await sink.close();
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
      await expectSinkError(sink.write(sampleRows(20, "A")), /cannot write .*\.ndjson: no space left on device/);
      rmSync(join(disk, "fill"));
      await sink.write(sampleRows(3, "B"));
      const summary = await sink.close();
      expect(summary).toMatchObject({ delivered: 0, spooled: 3 });

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
