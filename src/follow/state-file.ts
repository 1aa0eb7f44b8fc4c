/**
 * The follower's state file: per file where reading stopped, per group when it last alerted.
 * Written atomically (a temp file beside it, fsync, rename, fsync of the folder) so a crash
 * leaves either the old state or the new one, never half of one.
 */

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { describeError, ScanError } from "../errors.js";
import type { LogFormat } from "../formats/log-format.js";
import type { GroupState } from "./alert-throttle.js";

/** What the state file keeps per followed file. */
export interface FileState {
  dev: number;
  ino: number;
  /** Bytes of the file read so far. */
  size: number;
  /** Where a restart resumes: the start of the record still incomplete at `size` (text). */
  offset: number;
  /** SHA-256 of the bytes from `offset` to `size` (the partial record), checked on resume. */
  partialHash: string;
  /** SHA-256 of the first `headLength` bytes: the file's identity beside dev and inode. */
  headHash: string;
  headLength: number;
  /** The format once known (a resumed scanner is forced to it). */
  format?: LogFormat | undefined;
  /** End (file offset) of the last record that raised a hit: hits up to here are not counted again. */
  hitEnd: number;
  /** EVTX: the highest EventRecordID that raised a hit. */
  lastRecordId?: number | undefined;
  /**
   * EVTX: the latest event time (normalized, see normalizeTime) of a hit raised. A hit with a
   * record id not above lastRecordId still counts when its time is later: the log was cleared
   * (or replaced by a copy of a new one), and record ids started again from 1.
   */
  lastHitTime?: string | undefined;
}

/** The whole state. */
export interface FollowState {
  version: 1;
  files: Record<string, FileState>;
  groups: Record<string, GroupState>;
}

/** An empty state. */
export function emptyState(): FollowState {
  return { version: 1, files: {}, groups: {} };
}

/** Reads the state file; an absent file is an empty state, a damaged one is a usage error. */
export function loadState(path: string): FollowState {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
    throw new ScanError("LDS_E_USAGE", `--state ${path}: ${describeError(err)}`);
  }
  try {
    const parsed = JSON.parse(text) as FollowState;
    if (parsed.version !== 1 || typeof parsed.files !== "object" || typeof parsed.groups !== "object") {
      throw new Error("not a state file of this version");
    }
    return parsed;
  } catch (err) {
    throw new ScanError("LDS_E_USAGE", `--state ${path}: ${describeError(err)} (move it away to start afresh)`);
  }
}

/** Writes the state atomically: temp file, fsync, rename over the old one, fsync the folder. */
export function saveState(path: string, state: FollowState): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, "w", 0o600);
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  try {
    const dir = openSync(dirname(path), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some file systems refuse fsync on a folder; the rename itself is still atomic.
  }
}
