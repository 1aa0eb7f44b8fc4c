/**
 * `scan --follow` end to end: the CLI as a child process following a temp folder while the test
 * appends, rotates, creates and grows logs, stops it (SIGTERM, kill -9) and restarts it from
 * its state file. Every wait is bounded; alerts are counted per host, so "once" is checked.
 */

import {
  appendFileSync,
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { generateBuffer } from "../src/generate/corpus.js";
import { tempDir } from "./helpers/cli.js";
import { type CliChild, startCli } from "./helpers/cli-async.js";
import { buildEvtx, sysmonRecord } from "./helpers/evtx-writer.js";
import { flatRecord, TRUE_POSITIVE, xmlEvent } from "./helpers/seed-events.js";
import { startWebhookReceiver } from "./helpers/webhook-receiver.js";

/** One matching flat JSON line for `host`. */
function line(host: string): string {
  return `${flatRecord({ ...TRUE_POSITIVE, computer: `${host}.corp.example` })}\n`;
}

const children: CliChild[] = [];

/** Starts the follower and collects its stdout lines. */
function follow(args: readonly string[]): { run: CliChild; lines: string[]; stderr: () => string } {
  const run = startCli(["scan", "--follow", "--poll-interval", "5s", ...args]);
  children.push(run);
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  run.child.stdout?.on("data", (s: string) => {
    partial += s;
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  });
  run.child.stderr?.on("data", (s: string) => {
    stderr += s;
  });
  return { run, lines, stderr: () => stderr };
}

/** Waits until `check` holds (every 20 ms), at most `ms`; returns the time it took. */
async function until(check: () => boolean, ms: number, what: string): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

/** The groups' event counts in a state file (none while it is not written yet). */
function groupCounts(path: string): number[] {
  try {
    const state = JSON.parse(readFileSync(path, "utf8")) as { groups: Record<string, { entry: { count: number } }> };
    return Object.values(state.groups).map((g) => g.entry.count);
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function hosts(lines: readonly string[]): string[] {
  return lines.map((l) => (JSON.parse(l) as { dest: string }).dest.split(".")[0] as string);
}

/** Waits for the follower's first look (it reads what exists at start). */
async function ready(f: ReturnType<typeof follow>, alerts: number): Promise<void> {
  await until(() => f.lines.length >= alerts, 10_000, `${alerts} alert(s) at start`);
  await sleep(300);
}

async function stop(f: ReturnType<typeof follow>): Promise<{ status: number | null; stderr: string }> {
  f.run.child.kill("SIGTERM");
  const done = await f.run.done;
  return { status: done.status, stderr: done.stderr };
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill("SIGKILL");
});

describe("scan --follow", () => {
  it("alerts a record appended in two pieces once, within 2 s, then after rename and copy-truncate rotations", async () => {
    const dir = tempDir("lds-follow-");
    const log = join(dir, "sysmon.jsonl");
    writeFileSync(log, line("OLD"));
    const f = follow([dir, "--state", join(dir, "state.json")]);
    await ready(f, 1);
    expect(hosts(f.lines)).toEqual(["OLD"]);

    const record = line("TWO");
    appendFileSync(log, record.slice(0, 100));
    await sleep(500);
    expect(f.lines.length).toBe(1); // half a line raises nothing
    const t0 = Date.now();
    appendFileSync(log, record.slice(100));
    await until(() => f.lines.length >= 2, 2000, "the alert of the completed line");
    expect(Date.now() - t0).toBeLessThan(2000);

    // Rename rotation (logrotate's default): the old file keeps its inode; a new file starts.
    renameSync(log, `${log}.1`);
    writeFileSync(log, line("RENAMED"));
    await until(() => f.lines.length >= 3, 5000, "the alert after a rename rotation");

    // copy-truncate: a copy appears (not read again), the file is emptied and written anew.
    copyFileSync(log, `${log}.2`);
    truncateSync(log, 0);
    await sleep(200);
    appendFileSync(log, line("TRUNCATED"));
    await until(() => f.lines.length >= 4, 5000, "the alert after copy-truncate");
    // logrotate's compress: the .1 copy gzipped, the plain one removed. Not read again.
    writeFileSync(`${log}.1.gz`, gzipSync(readFileSync(`${log}.1`)));
    rmSync(`${log}.1`);
    await sleep(700);
    const { status, stderr } = await stop(f);
    expect(hosts(f.lines)).toEqual(["OLD", "TWO", "RENAMED", "TRUNCATED"]);
    expect(status).toBe(0);
    // Rotated copies (.1 renamed, .2 copied, .1.gz compressed) add no event: nothing read twice.
    expect(stderr).toMatch(/4 events matched, 4 alerts raised/);
    const alert = JSON.parse(f.lines[1] as string) as Record<string, unknown>;
    expect(Object.keys(alert).slice(0, 4)).toEqual(["dest", "object_category", "process_name", "TargetFilename"]);
    expect(alert.count).toBe(1);
    expect(alert.alert_id).toMatch(/^[0-9a-f]{64}$/);
  }, 30_000);

  it("follows a file created in a watched folder, and throttles a group's second event", async () => {
    const dir = tempDir("lds-follow-");
    const state = join(dir, "state.json");
    writeFileSync(join(dir, "ready.jsonl"), line("READY"));
    const f = follow([dir, "--state", state]);
    await ready(f, 1); // watching now
    writeFileSync(join(dir, "new.xml"), `${xmlEvent({ ...TRUE_POSITIVE, computer: "NEWFILE.corp.example" })}\n`);
    await until(() => f.lines.length >= 2, 5000, "the alert from a new file");
    appendFileSync(join(dir, "new.xml"), `${xmlEvent({ ...TRUE_POSITIVE, computer: "NEWFILE.corp.example" })}\n`);
    // The second event updates the group's row (seen in the state file), with no new alert.
    await until(() => groupCounts(state).includes(2), 10_000, "the group's count of 2 in the state file");
    const { status, stderr } = await stop(f);
    expect(hosts(f.lines)).toEqual(["READY", "NEWFILE"]);
    expect(stderr).toMatch(/3 events matched, 2 alerts raised/);
    expect(status).toBe(0);
  }, 30_000);

  it("reads an EVTX file that grows in place from the records after the last one seen", async () => {
    const dir = tempDir("lds-follow-");
    const path = join(dir, "Sysmon.evtx");
    const event = (host: string, id: bigint) =>
      sysmonRecord(
        {
          computer: `${host}.corp.example`,
          image: "C:\\Windows\\System32\\Taskmgr.exe",
          target: "C:\\Temp\\lsass.DMP",
          time: "2024-03-05T10:11:12.1234567Z",
          recordId: id,
        },
        { id },
      );
    writeFileSync(path, buildEvtx({ chunks: [{ records: [event("EVTXA", 1n)] }], dirty: true }).bytes);
    const f = follow([dir]);
    await ready(f, 1);
    // Windows writes the next record into the same chunk: same size, new bytes.
    const grown = buildEvtx({ chunks: [{ records: [event("EVTXA", 1n), event("EVTXB", 2n)] }], dirty: true }).bytes;
    const fd = openSync(path, "r+");
    writeSync(fd, grown, 0, grown.length, 0);
    closeSync(fd);
    await until(() => f.lines.length >= 2, 5000, "the alert of the new EVTX record");
    await sleep(500);
    await stop(f);
    expect(hosts(f.lines)).toEqual(["EVTXA", "EVTXB"]);
  }, 20_000);

  it("alerts on a record of an EVTX log cleared in place (same size, record ids from 1 again, a later time)", async () => {
    const dir = tempDir("lds-follow-");
    const path = join(dir, "Sysmon.evtx");
    const event = (host: string, id: bigint, time: string) =>
      sysmonRecord(
        {
          computer: `${host}.corp.example`,
          image: "C:\\Windows\\System32\\Taskmgr.exe",
          target: "C:\\Temp\\lsass.DMP",
          time,
          recordId: id,
        },
        { id },
      );
    writeFileSync(
      path,
      buildEvtx({ chunks: [{ records: [event("OLD", 40n, "2024-03-05T10:11:12.1234567Z")] }], dirty: true }).bytes,
    );
    const f = follow([dir]);
    await ready(f, 1);
    // `wevtutil cl`, then the dump: the new log's first records, in a file of the same size.
    const cleared = buildEvtx({
      chunks: [{ records: [event("NEW", 2n, "2024-03-05T11:00:00.0000000Z")] }],
      dirty: true,
    }).bytes;
    const fd = openSync(path, "r+");
    writeSync(fd, cleared, 0, cleared.length, 0);
    closeSync(fd);
    await until(() => f.lines.length >= 2, 5000, "the alert of the record after the clear");
    await sleep(500);
    await stop(f);
    expect(hosts(f.lines)).toEqual(["OLD", "NEW"]);
  }, 20_000);

  it("restarts from the state file: no old alert again, one written while down alerted", async () => {
    const dir = tempDir("lds-follow-");
    const log = join(dir, "sysmon.jsonl");
    const state = join(dir, "state.json");
    writeFileSync(log, line("FIRST"));
    const first = follow([dir, "--state", state]);
    await ready(first, 1);
    expect((await stop(first)).status).toBe(0);

    appendFileSync(log, line("WHILEDOWN"));
    const second = follow([dir, "--state", state]);
    await until(() => second.lines.length >= 1, 10_000, "the alert written while down");
    await sleep(800);
    appendFileSync(log, line("AFTER"));
    await until(() => second.lines.length >= 2, 5000, "a live alert after the restart");
    await sleep(300);
    const { status, stderr } = await stop(second);
    expect(hosts(second.lines)).toEqual(["WHILEDOWN", "AFTER"]);
    expect(status).toBe(0);
    expect(stderr).toMatch(/3 groups/);
  }, 30_000);

  it("kill -9 between a write and its alert: the alert comes after the restart, exactly once", async () => {
    const dir = tempDir("lds-follow-");
    const log = join(dir, "sysmon.jsonl");
    const state = join(dir, "state.json");
    writeFileSync(log, line("BEFORE"));
    const first = follow([dir, "--state", state]);
    await ready(first, 1);
    await until(() => groupCounts(state).length === 1, 10_000, "the first alert in the state file");
    first.run.child.kill("SIGSTOP"); // it cannot look at the file any more
    appendFileSync(log, line("KILLED"));
    first.run.child.kill("SIGKILL");
    await first.run.done;
    expect(hosts(first.lines)).toEqual(["BEFORE"]);

    const second = follow([dir, "--state", state]);
    await until(() => second.lines.length >= 1, 10_000, "the alert after the restart");
    await sleep(800);
    await stop(second);
    expect(hosts(second.lines)).toEqual(["KILLED"]);

    // Killed right after an alert, before its position reached the state: raised again with
    // the same alert_id, never as a second one.
    const third = follow([dir, "--state", state]);
    await sleep(1000);
    appendFileSync(log, line("RACE"));
    await until(() => third.lines.length >= 1, 5000, "the race alert");
    third.run.child.kill("SIGKILL");
    await third.run.done;
    const fourth = follow([dir, "--state", state]);
    await sleep(1500);
    await stop(fourth);
    const ids = [...third.lines, ...fourth.lines].map((l) => (JSON.parse(l) as { alert_id: string }).alert_id);
    expect(new Set(ids).size).toBe(1);
  }, 30_000);

  it("sends each alert to a webhook through the outbox with the alert_id printed on stdout", async () => {
    const receiver = await startWebhookReceiver();
    try {
      const dir = tempDir("lds-follow-");
      const f = follow([dir, "--webhook", receiver.url, "--spool", join(dir, "spool")]);
      await sleep(800);
      appendFileSync(join(dir, "sysmon.jsonl"), line("HOOKED"));
      await until(() => receiver.requests.length >= 1, 10_000, "the webhook request");
      const { status, stderr } = await stop(f);
      expect(status).toBe(0);
      expect(stderr).toMatch(/webhook: 1 sent/);
      const sent = JSON.parse(receiver.requests[0]?.body ?? "[]") as { alert_id: string; dest: string }[];
      expect(sent.map((a) => a.dest)).toEqual(["HOOKED.corp.example"]);
      expect(sent[0]?.alert_id).toBe((JSON.parse(f.lines[0] as string) as { alert_id: string }).alert_id);
    } finally {
      await receiver.close();
    }
  }, 20_000);
  it("SIGTERM during the first look of a large folder stops after the file in hand; a restart reads the rest, alerting each once", async () => {
    const dir = tempDir("lds-follow-");
    const state = join(dir, "state.json");
    const logs = join(dir, "logs");
    const background = generateBuffer({ format: "flat", size: 2 * 1024 * 1024, seed: 3, hitsPerGb: 0 }).buffer;
    const FILES = 48;
    mkdirSync(logs);
    for (let i = 0; i < FILES; i++) {
      // One alert per file, first (a distinct head: no file is taken for a rotated copy of another).
      const name = `${String(i).padStart(2, "0")}.jsonl`;
      writeFileSync(join(logs, name), Buffer.concat([Buffer.from(line(`H${i}`)), background]));
    }
    const first = follow([logs, "--state", state]);
    first.run.child.stdout?.once("data", () => first.run.child.kill("SIGTERM"));
    const stopped = await first.run.done;
    expect(stopped.status).toBe(0);
    const followed = Number(/followed (\d+) files?/.exec(stopped.stderr)?.[1]);
    expect(followed).toBeGreaterThan(0);
    expect(followed).toBeLessThan(FILES); // before: every file was read before the stop was heard
    const second = follow([logs, "--state", state]);
    await until(() => first.lines.length + second.lines.length >= FILES, 20_000, "every file's alert");
    await sleep(300);
    const { status } = await stop(second);
    expect(status).toBe(0);
    const all = hosts([...first.lines, ...second.lines]).sort();
    expect(all).toEqual(Array.from({ length: FILES }, (_, i) => `H${i}`).sort());
  }, 60_000);
});
