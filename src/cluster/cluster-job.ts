/**
 * What crosses Redis between the coordinator and the cluster's workers: one BullMQ job per
 * planned task (a shard, a batch of small files, an archive), its id a hash of what the task
 * reads (input identity, byte range, engine and version), so that enqueuing the same plan twice
 * finds the same jobs: a restarted coordinator reuses finished shards, and a re-run of a shard
 * (a worker killed mid-shard) overwrites its one result rather than adding a second.
 */

import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type { EngineName } from "../engine/engine.js";
import type { ScanTask } from "../pool/task.js";
import { isUrl } from "../source/byte-source.js";
import { redactUrl } from "../source/redact.js";

/** One job's data. */
export interface ClusterJobData {
  engine: EngineName;
  carve: boolean;
  task: ScanTask;
  /** Send every matched event back with its input and location (`scan --cluster --events`). */
  collectHits?: true | undefined;
}

let packageVersion: string | undefined;

/** This build's version: part of every job id, so workers of another version never answer for it. */
export function engineVersion(): string {
  packageVersion ??= (
    JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  return packageVersion;
}

/**
 * The BullMQ queue the coordinators and workers of one version share. The version is in the
 * name: a worker of another build (its own task shapes, its own detection) never takes this
 * build's jobs, and a coordinator counts only the workers that can run them.
 */
export function queueName(): string {
  return `lsass-dump-scan-${engineVersion()}`;
}

/** What makes an input this version of itself: a remote object's ETag (or size), a file's size and mtime. */
function identity(path: string, size: number, etag: string | undefined): string {
  if (isUrl(path)) return `${redactUrl(path)} ${etag ?? `size ${size}`}`;
  try {
    const stat = statSync(path);
    return `${path} ${stat.size} ${stat.mtimeMs}`;
  } catch {
    return `${path} ${size} missing`;
  }
}

/** The task without a presigned URL's signature (which changes every run) but with each input's identity. */
function stableTask(task: ScanTask): unknown {
  switch (task.kind) {
    case "range":
      return { ...task, path: identity(task.path, task.fileSize, task.etag) };
    case "batch":
      return { ...task, files: task.files.map((f) => ({ ...f, path: identity(f.path, f.size, f.etag) })) };
    case "archive":
      return { ...task, path: identity(task.path, task.size, undefined) };
    default:
      return task;
  }
}

/** The deterministic job id of a task (BullMQ custom ids must not be plain integers: prefixed). */
export function jobIdOf(data: ClusterJobData): string {
  // With events the result holds more: a job of its own (the ids of a rows-only run are unchanged).
  const events = data.collectHits === true ? ["events"] : [];
  const key = JSON.stringify([engineVersion(), data.engine, data.carve, stableTask(data.task), ...events]);
  return `shard-${createHash("sha256").update(key).digest("hex").slice(0, 40)}`;
}
