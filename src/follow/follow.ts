/**
 * `scan --follow`: scans what exists, then follows the inputs like `tail -F` and raises each new
 * alert at once (stdout, one JSON line each; HEC and webhooks through the outbox). One look at
 * the files runs at a time; each look reads what is new, raises the alerts its hits call for,
 * and only after they are persisted (printed, spooled) moves the files' positions forward, so
 * the state file never says an alert was raised that was not, nor skips one that was not.
 */

import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { Writable } from "node:stream";
import { describeError } from "../errors.js";
import type { OutboxSink, OutboxSummary } from "../sinks/outbox-sink.js";
import { formatJsonl, terminalText } from "../sinks/row-format.js";
import { writeToStream } from "../sinks/stdout-sink.js";
import { AlertThrottle } from "./alert-throttle.js";
import { contentHead, FollowedFile } from "./file-state.js";
import { emptyState, type FollowState, loadState, saveState } from "./state-file.js";
import { type Listed, Watcher } from "./watcher.js";

/** Options of {@link runFollow}. */
export interface FollowOptions {
  inputs: readonly string[];
  /** The state file; none: a restart scans everything again. */
  statePath?: string | undefined;
  throttleMs: number;
  /** Safety-net poll interval in ms. */
  pollMs: number;
  /** Network sinks (already open); alerts are written to each. */
  sinks: readonly OutboxSink[];
  /** Paths never followed besides the state file (the spool). */
  exclude: readonly string[];
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  /** One line for stderr (without the program prefix). */
  say: (line: string) => void;
  /** Where alerts go, one JSON line each (process.stdout by default). */
  alertStream?: Writable;
}

/** What a follow run did, for the summary and the exit status. */
export interface FollowOutcome {
  files: number;
  bytes: number;
  matches: number;
  alerts: number;
  groups: number;
  problems: number;
  /** Files skipped: no log format we read. */
  skipped: number;
  unreadable: number;
  summaries: OutboxSummary[];
  /** Alerts a sink could not take (spool unwritable). */
  lost: number;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Shortest head (bytes) that identifies a rotated copy: shorter ones match too easily. */
const MIN_COPY_HEAD = 128;
/** The state is written at most this often. */
const SAVE_INTERVAL_MS = 1000;

/**
 * Follows the inputs until `signal` aborts; then writes the state and closes the sinks.
 *
 * @example
 * ```ts
 * const ac = new AbortController();
 * process.once("SIGTERM", () => ac.abort());
 * const outcome = await runFollow({ inputs: ["/var/log/sysmon"], statePath: "/var/lib/lds/state.json",
 *   throttleMs: DEFAULT_THROTTLE_MS, pollMs: 2000, sinks: [], exclude: [], signal: ac.signal, say: console.error });
 * ```
 */
export async function runFollow(options: FollowOptions): Promise<FollowOutcome> {
  const statePath = options.statePath === undefined ? undefined : resolve(options.statePath);
  const state: FollowState = statePath === undefined ? emptyState() : loadState(statePath);
  const throttle = new AlertThrottle(options.throttleMs, state.groups);
  const excluded = options.exclude.map((p) => resolve(p));
  const exclude = (path: string) =>
    (statePath !== undefined && (path === statePath || path.startsWith(`${statePath}.`))) ||
    excluded.some((e) => path === e || path.startsWith(`${e}/`));
  const tracked = new Map<string, FollowedFile>();
  for (const [path, fileState] of Object.entries(state.files)) tracked.set(path, new FollowedFile(path, fileState));
  /** Files no longer followed (truncated, deleted), kept for matching their rotated copies. */
  const retired: FollowedFile[] = [];
  /** Rotated siblings already judged not to be copies: dev:ino -> size when judged. */
  const ignored = new Map<string, number>();
  /** Last size and mtime looked at, per path: unchanged files are not read. */
  const lastSeen = new Map<string, string>();
  const outcome: FollowOutcome = {
    files: 0,
    bytes: 0,
    matches: 0,
    alerts: 0,
    groups: 0,
    problems: 0,
    skipped: 0,
    unreadable: 0,
    summaries: [],
    lost: 0,
  };
  const alertStream = options.alertStream ?? process.stdout;
  let stdoutBroken = false;
  let dirty = false;
  let lastSave = 0;
  let saveTimer: NodeJS.Timeout | undefined;

  const writeState = () => {
    if (statePath === undefined) return;
    state.files = Object.fromEntries([...tracked].map(([p, f]) => [p, f.state]));
    state.groups = throttle.snapshot();
    try {
      saveState(statePath, state);
    } catch (err) {
      options.say(`--state ${statePath}: ${describeError(err)}`);
    }
    lastSave = Date.now();
    dirty = false;
  };
  const saveSoon = () => {
    dirty = true;
    if (saveTimer !== undefined) return;
    const wait = Math.max(0, lastSave + SAVE_INTERVAL_MS - Date.now());
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      if (dirty) writeState();
    }, wait);
  };

  const raise = async (file: FollowedFile, advance: Awaited<ReturnType<FollowedFile["advance"]>>) => {
    for (const line of advance.problems) {
      outcome.problems++;
      options.say(`${file.path}: ${line}`);
    }
    if (advance.skipped !== undefined) {
      outcome.skipped++;
      options.say(`note: ${file.path}: ${advance.skipped}`);
    }
    outcome.bytes += advance.bytes;
    for (const hit of advance.hits) {
      outcome.matches++;
      const alert = throttle.offer(hit, Date.now());
      if (alert === undefined) continue;
      outcome.alerts++;
      if (!stdoutBroken) {
        try {
          // Resolves once the OS has the line (a slow reader slows us; nothing is dropped).
          await writeToStream(alertStream, formatJsonl([alert]));
        } catch (err) {
          stdoutBroken = true;
          options.say(`stdout: ${describeError(err)}; alerts go to the other sinks only`);
        }
      }
      for (const sink of options.sinks) {
        try {
          await sink.write([alert]);
        } catch (err) {
          outcome.lost++;
          options.say(`${sink.name}: ${describeError(err)}; alert ${alert.alert_id} not sent and not spooled`);
        }
      }
    }
    // The alerts are out (printed, spooled): now the position may move past their events.
    file.commit();
    if (advance.bytes > 0 || advance.hits.length > 0) saveSoon();
  };

  /**
   * A tracked or retired file whose head the file at `path` starts with (a rotated copy), or
   * "undecided" while the file holds only a beginning of such a head (a copy still being written).
   */
  const copyOf = async (path: string): Promise<FollowedFile | "undecided" | undefined> => {
    let undecided = false;
    for (const f of [...tracked.values(), ...retired]) {
      const { headLength, headHash } = f.state;
      if (headLength < MIN_COPY_HEAD || f.path === path) continue;
      let head: Buffer;
      try {
        head = await contentHead(path, headLength);
      } catch {
        return undefined;
      }
      if (head.length === headLength && sha256Hex(head) === headHash) return f;
      if (head.length < headLength && f.head !== undefined && f.head.subarray(0, head.length).equals(head))
        undecided = true;
    }
    return undecided ? "undecided" : undefined;
  };

  const look = async (listing: Map<string, Listed>) => {
    for (const path of lastSeen.keys()) if (!listing.has(path)) lastSeen.delete(path);
    const byIno = new Map<string, string>();
    for (const [path, st] of listing) byIno.set(`${st.dev}:${st.ino}`, path);
    // Files renamed (rotation) or gone.
    for (const [path, f] of [...tracked]) {
      const st = listing.get(path);
      if (st !== undefined && st.dev === f.state.dev && st.ino === f.state.ino) continue;
      tracked.delete(path);
      const moved = byIno.get(`${f.state.dev}:${f.state.ino}`);
      if (moved !== undefined && !tracked.has(moved)) {
        f.path = moved;
        tracked.set(moved, f);
      } else {
        retired.push(f);
        if (retired.length > 64) retired.shift();
        saveSoon();
      }
    }
    for (const [path, st] of listing) {
      // Stopped (Ctrl-C, SIGTERM): the files not read yet keep their state for the next start,
      // so a first look over a large folder does not hold the stop (systemd kills after 90 s).
      if (options.signal.aborted) break;
      const seen = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
      if (lastSeen.get(path) === seen) continue;
      let f = tracked.get(path);
      try {
        if (f !== undefined && !(await f.stillMatches(st.size))) {
          // Truncated (copy-truncate) or written anew: read from its start.
          retired.push(f);
          f = new FollowedFile(path, FollowedFile.fresh(st.dev, st.ino));
          tracked.set(path, f);
        }
        if (f === undefined) {
          const key = `${st.dev}:${st.ino}`;
          if (st.siblingOnly && ignored.get(key) === st.size) continue;
          const original = await copyOf(path);
          // Being written (a copy or a gzip of a followed file, half done): judged at the next look.
          if (original === "undecided") continue;
          if (original !== undefined) {
            // A rotated copy: it holds what was read already; only what follows counts.
            const from = original.state;
            f = new FollowedFile(path, {
              ...FollowedFile.fresh(st.dev, st.ino),
              offset: from.format === "evtx" ? 0 : from.offset,
              size: from.format === "evtx" ? 0 : from.offset,
              format: from.format,
              hitEnd: from.hitEnd,
              lastRecordId: from.lastRecordId,
              lastHitTime: from.lastHitTime,
            });
          } else if (st.siblingOnly) {
            ignored.set(key, st.size);
            continue;
          } else {
            f = new FollowedFile(path, FollowedFile.fresh(st.dev, st.ino));
          }
          tracked.set(path, f);
        }
        await raise(f, await f.advance(st.size));
        lastSeen.set(path, seen);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        outcome.problems++;
        options.say(`${path}: ${describeError(err)}`);
        lastSeen.set(path, seen);
      }
    }
  };

  let running: Promise<void> | undefined;
  let again = false;
  let watcher: Watcher | undefined;
  const sync = (): void => {
    if (options.signal.aborted || watcher === undefined) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    const w = watcher;
    running = (async () => {
      do {
        again = false;
        await look(await w.list());
      } while (again && !options.signal.aborted);
    })()
      .catch((err) => {
        outcome.problems++;
        options.say(describeError(err));
      })
      .finally(() => {
        running = undefined;
      });
  };
  watcher = new Watcher({
    inputs: options.inputs,
    exclude,
    pollMs: options.pollMs,
    onChange: sync,
    onNote: options.say,
  });
  sync();
  await new Promise<void>((done) => {
    if (options.signal.aborted) done();
    else options.signal.addEventListener("abort", () => done(), { once: true });
  });
  watcher.close();
  while (running !== undefined) await running;
  watcher.close();
  if (saveTimer !== undefined) clearTimeout(saveTimer);
  writeState();
  for (const sink of options.sinks) outcome.summaries.push(await sink.close());
  outcome.files = tracked.size;
  outcome.groups = throttle.rows().length;
  outcome.unreadable = watcher.unreadable.size;
  return outcome;
}

/** A summary line for stderr. */
export function followSummary(o: FollowOutcome, seconds: number): string {
  const parts = [
    `followed ${o.files} file${o.files === 1 ? "" : "s"}`,
    `${o.bytes} bytes read`,
    `${o.matches} event${o.matches === 1 ? "" : "s"} matched`,
    `${o.alerts} alert${o.alerts === 1 ? "" : "s"} raised (${o.groups} group${o.groups === 1 ? "" : "s"})`,
  ];
  if (o.skipped > 0) parts.push(`${o.skipped} skipped (not a log format we read)`);
  if (o.problems > 0) parts.push(`${o.problems} problem${o.problems === 1 ? "" : "s"}`);
  if (o.unreadable > 0) parts.push(`${o.unreadable} input${o.unreadable === 1 ? "" : "s"} not found`);
  return terminalText(`${parts.join(", ")} in ${seconds.toFixed(2)} s`);
}
