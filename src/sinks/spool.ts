/**
 * The outbox: alerts are written here, and fsynced, before any of them is sent, so a crash,
 * a kill or an outage loses none. One segment per run and destination kind
 * (`<spool>/<kind>/<run>.ndjson`, one alert a line), a `.done` file beside it listing the
 * `alert_id`s that were delivered (or dead-lettered), and a `.lock` naming the process that
 * works on it (and the boot it runs in, so that a lock left before a reboot is stale). A segment whose alerts are all done is deleted; `deliver` resends what is left of
 * the others. Alerts the destination rejects as bad data go to `<spool>/deadletter.ndjson`.
 * No credential is ever written here: segments hold alerts only.
 */

import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync } from "node:fs";
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describeError, ScanError } from "../errors.js";
import type { Alert } from "./alert-id.js";

/** Where destinations' segments live: one sub-folder per kind. */
export type SpoolKind = "hec" | "webhook";

/** The dead-letter file's name inside the spool. */
export const DEADLETTER_FILE = "deadletter.ndjson";

export { defaultSpoolDir } from "./delivery-defaults.js";

function spoolError(dir: string, what: string, err: unknown): ScanError {
  return new ScanError("LDS_E_SINK", `spool ${dir}: ${what}: ${describeError(err)}`, undefined, { cause: err });
}

/** fsyncs a directory, so a new or removed entry in it survives a crash. */
function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

let thisBoot: string | undefined;

/**
 * This boot's id (Linux: /proc/sys/kernel/random/boot_id; "" elsewhere). A lock is written with
 * it: after a reboot, its process id may belong to some other process, but the lock is stale.
 */
function bootId(): string {
  if (thisBoot === undefined) {
    try {
      thisBoot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      thisBoot = "";
    }
  }
  return thisBoot;
}

/** What a lock file holds: the process id and the boot it runs in. */
function lockText(): string {
  const boot = bootId();
  return boot === "" ? `${process.pid}\n` : `${process.pid} ${boot}\n`;
}

/** True when a lock's text names a process that still runs (in this boot). */
function holderAlive(text: string): boolean {
  const [pid, boot] = text.trim().split(/\s+/);
  if (boot !== undefined && boot !== "" && bootId() !== "" && boot !== bootId()) return false;
  return isAlive(Number(pid));
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The lines of a spool file, parsed. A torn last line (a crash mid-append, before its fsync,
 * so before any of it was sent) and any line that does not parse are counted, not returned.
 */
function parseLines<T>(text: string, parse: (line: string) => T | undefined): { items: T[]; damaged: number } {
  const items: T[] = [];
  let damaged = 0;
  const lines = text.split("\n");
  if (lines.pop() !== "") damaged++; // after the last "\n": empty, or a line cut short
  for (const line of lines) {
    if (line.length === 0) continue;
    try {
      const item = parse(line);
      if (item === undefined) damaged++;
      else items.push(item);
    } catch {
      damaged++;
    }
  }
  return { items, damaged };
}

function parseAlert(line: string): Alert | undefined {
  const a = JSON.parse(line) as Alert;
  return typeof a === "object" && a !== null && typeof a.alert_id === "string" ? a : undefined;
}

/**
 * Appends text to a file and fsyncs it. When the append fails (a full disk takes part of it),
 * the file is cut back to its size before, so no torn line is left for the next append to be
 * glued to (that next alert could not be read back).
 */
async function appendSynced(path: string, text: string): Promise<void> {
  const handle = await open(path, "a", 0o600);
  let before: number | undefined;
  try {
    before = (await handle.stat()).size;
    await handle.appendFile(text);
    await handle.sync();
  } catch (err) {
    if (before !== undefined) await handle.truncate(before).catch(() => undefined);
    throw err;
  } finally {
    await handle.close();
  }
}

/** One run's outbox for one destination kind. */
export class SpoolSegment {
  /** The segment's alerts, in the order they were written. */
  readonly alerts: Alert[] = [];
  /** `alert_id`s delivered or dead-lettered. */
  readonly done = new Set<string>();
  /** Lines of the segment that could not be read back (see {@link SpoolSegment.openLeftovers}). */
  damagedLines = 0;
  private closed = false;

  private constructor(
    /** The spool folder (holding the kind folders and the dead letters). */
    readonly spoolDir: string,
    /** The segment's path, without `.ndjson`. */
    readonly base: string,
  ) {}

  /** The segment file. */
  get path(): string {
    return `${this.base}.ndjson`;
  }

  /** Alerts still to deliver. */
  pending(): Alert[] {
    return this.alerts.filter((a) => !this.done.has(a.alert_id));
  }

  /** A new, empty segment for this process, locked. */
  static async create(spoolDir: string, kind: SpoolKind): Promise<SpoolSegment> {
    const dir = join(spoolDir, kind);
    const made: string[] = [];
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
      const base = join(dir, `${stamp}-${process.pid}-${randomBytes(3).toString("hex")}`);
      made.push(`${base}.lock`);
      await writeFile(`${base}.lock`, lockText(), { flag: "wx", mode: 0o600 });
      made.push(`${base}.ndjson`);
      await writeFile(`${base}.ndjson`, "", { flag: "wx", mode: 0o600 });
      syncDir(dir);
      return new SpoolSegment(spoolDir, base);
    } catch (err) {
      // A full disk can fail the lock's write after its file was made: no lock is left behind
      // without its segment. A name that existed already (EEXIST) is not ours to remove.
      if ((err as NodeJS.ErrnoException).code === "EEXIST") made.pop();
      for (const path of made.reverse()) await rm(path, { force: true }).catch(() => undefined);
      throw spoolError(spoolDir, "cannot create a segment", err);
    }
  }

  /**
   * Segments of `kind` that no live process holds, locked for this one, with their alerts and
   * done marks read back. A segment another running process holds is left alone.
   */
  static async openLeftovers(spoolDir: string, kind: SpoolKind): Promise<{ segments: SpoolSegment[]; busy: string[] }> {
    const dir = join(spoolDir, kind);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith(".ndjson")).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { segments: [], busy: [] };
      throw spoolError(spoolDir, "cannot read", err);
    }
    const segments: SpoolSegment[] = [];
    const busy: string[] = [];
    for (const name of names) {
      const segment = new SpoolSegment(spoolDir, join(dir, name.slice(0, -".ndjson".length)));
      if (!(await segment.takeLock())) {
        busy.push(segment.path);
        continue;
      }
      try {
        const text = await readFile(segment.path, "utf8");
        const parsed = parseLines(text, parseAlert);
        segment.alerts.push(...parsed.items);
        segment.damagedLines = parsed.damaged;
        const done = await readFile(`${segment.base}.done`, "utf8").catch((err: NodeJS.ErrnoException) => {
          if (err.code === "ENOENT") return "";
          throw err;
        });
        for (const id of parseLines(done, (l) => l.trim()).items) segment.done.add(id);
      } catch (err) {
        await rm(`${segment.base}.lock`, { force: true });
        throw spoolError(spoolDir, `cannot read ${segment.path}`, err);
      }
      segments.push(segment);
    }
    return { segments, busy };
  }

  /** Takes the segment's lock when no live process holds it (a dead holder's lock is stale). */
  private async takeLock(): Promise<boolean> {
    const lock = `${this.base}.lock`;
    for (let tries = 0; tries < 2; tries++) {
      try {
        await writeFile(lock, lockText(), { flag: "wx", mode: 0o600 });
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST")
          throw spoolError(this.spoolDir, `cannot lock ${this.path}`, err);
      }
      if (holderAlive(await readFile(lock, "utf8").catch(() => ""))) return false;
      await rm(lock, { force: true });
    }
    return false;
  }

  /** Appends alerts and fsyncs them: once this resolves they survive a crash. */
  async append(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    try {
      await appendSynced(this.path, alerts.map((a) => `${JSON.stringify(a)}\n`).join(""));
    } catch (err) {
      throw spoolError(this.spoolDir, `cannot write ${this.path}`, err);
    }
    this.alerts.push(...alerts);
  }

  /** Records ids as delivered (or dead-lettered), fsynced. */
  async markDone(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await appendSynced(`${this.base}.done`, ids.map((id) => `${id}\n`).join(""));
    } catch (err) {
      throw spoolError(this.spoolDir, `cannot write ${this.base}.done`, err);
    }
    for (const id of ids) this.done.add(id);
  }

  /** Moves an alert the destination refused to the dead-letter file (with why), and marks it done. */
  async deadLetter(alert: Alert, sink: string, reason: string): Promise<void> {
    await writeDeadLetter(this.spoolDir, alert, sink, reason);
    await this.markDone([alert.alert_id]);
  }

  /**
   * Ends this process's work on the segment: deleted when every alert is done (or it never held
   * one), else unlocked and kept for `deliver`. Returns the alerts still pending.
   */
  async release(): Promise<number> {
    if (this.closed) return this.pending().length;
    this.closed = true;
    const left = this.pending().length;
    try {
      if (left === 0) {
        await rm(this.path, { force: true });
        await rm(`${this.base}.done`, { force: true });
      }
      await rm(`${this.base}.lock`, { force: true });
      syncDir(join(this.base, ".."));
    } catch (err) {
      throw spoolError(this.spoolDir, `cannot finish ${this.path}`, err);
    }
    return left;
  }
}

/** Appends an alert the destination refused to the spool's dead-letter file, with why (fsynced). */
export async function writeDeadLetter(spoolDir: string, alert: Alert, sink: string, reason: string): Promise<void> {
  const path = join(spoolDir, DEADLETTER_FILE);
  const line = `${JSON.stringify({ time: new Date().toISOString(), sink, reason, alert })}\n`;
  try {
    await mkdir(spoolDir, { recursive: true, mode: 0o700 });
    await appendSynced(path, line);
  } catch (err) {
    throw spoolError(spoolDir, `cannot write ${path}`, err);
  }
}

/** Lines in the spool's dead-letter file (0 when there is none). */
export async function deadLetterCount(spoolDir: string): Promise<number> {
  try {
    const { size } = await stat(join(spoolDir, DEADLETTER_FILE));
    if (size === 0) return 0;
    const text = await readFile(join(spoolDir, DEADLETTER_FILE), "utf8");
    return text.split("\n").filter((l) => l.length > 0).length;
  } catch {
    return 0;
  }
}
