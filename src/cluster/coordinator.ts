/**
 * `scan --cluster redis://...`: plans the inputs exactly as a local scan does (the same walk,
 * sniffing and TaskPlanner: pool/plan-inputs.ts), enqueues one BullMQ job per task under a deterministic id, and
 * gathers each job's aggregates, counters and problems as workers finish them, keyed by job
 * id (a shard run twice counts once). The merge is the local scan's, so the rows are the same
 * bytes; with `onHit` (`scan --events`) workers also send every matched event back. Run the
 * same command again after an interruption and finished shards are reused.
 * Inputs must be reachable from the workers: URLs, s3://, or paths on a shared file system
 * (paths are sent absolute). Redis going away mid-scan is waited out (up to --cluster-timeout):
 * on reconnection every pending job is looked up again, its result taken if it finished, and
 * enqueued again if a Redis restarted without persistence lost it.
 */

import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Job, Queue, QueueEvents } from "bullmq";
import type { EngineName } from "../engine/engine.js";
import { engineByName } from "../engine/engines.js";
import type { InputHit } from "../engine/hit.js";
import { ScanError } from "../errors.js";
import type { LogFormat } from "../formats/log-format.js";
import { newScanProgress, type ScanProgress } from "../pool/parallel-scan.js";
import { TaskPlanner, taskBytes } from "../pool/plan.js";
import { planInputs } from "../pool/plan-inputs.js";
import type { ScanTask, TaskResult } from "../pool/task.js";
import { addMalformed } from "../scan/malformed.js";
import { newScanResult, noteNothingScanned, type ScanProblem, type ScanResult } from "../scan/scan.js";
import { recordStats, scanItem } from "../scan/scan-item.js";
import { isUrl } from "../source/byte-source.js";
import { redactUrl } from "../source/redact.js";
import { type ClusterJobData, engineVersion, jobIdOf, queueName } from "./cluster-job.js";
import { lastRedisError, openRedis } from "./redis.js";

/** Attempts per task before it is a problem (a killed worker's stalled run does not count as one). */
const JOB_ATTEMPTS = 3;
/** Finished jobs are kept this long, so that a restarted coordinator finds them. */
const KEEP_FINISHED_SECONDS = 7 * 24 * 3600;

/** Options of {@link scanCluster}. */
export interface ClusterScanOptions {
  /** `redis://host:port` */
  cluster: string;
  engine: EngineName;
  shardSize: number;
  inputFormat?: LogFormat | undefined;
  carve?: boolean | undefined;
  /** Give up when no worker is alive and no task has finished for this long, ms. */
  timeoutMs: number;
  onProblem?: ((problem: ScanProblem) => void) | undefined;
  onProgress?: ((progress: ScanProgress) => void) | undefined;
  /** Called with every matched event (its input and location), as a job's result arrives. */
  onHit?: ((hit: InputHit) => void) | undefined;
  /** Stops waiting (the jobs stay queued: the same command later resumes). */
  signal?: AbortSignal | undefined;
}

/** A task as workers must see it: local paths made absolute (names stay as the user gave them). */
function reachable(task: ScanTask): ScanTask {
  const abs = (path: string) => (isUrl(path) ? path : resolve(path));
  switch (task.kind) {
    case "range":
    case "archive":
      return { ...task, path: abs(task.path) };
    case "batch":
      return { ...task, files: task.files.map((f) => ({ ...f, path: abs(f.path) })) };
    default:
      return task;
  }
}

type Collector = ReturnType<typeof newScanResult>;

/** Scans `inputs` on the workers of a Redis; never throws for a bad input (see `problems`). */
export async function scanCluster(inputs: readonly string[], options: ClusterScanOptions): Promise<ScanResult> {
  const result = newScanResult(options.onProblem);
  if (options.onHit !== undefined) result.hits = [];
  const engine = await engineByName(options.engine, { carve: options.carve });
  const planner = new TaskPlanner({
    shardSize: options.shardSize,
    canShard: (format) => engine.scanFileRange !== undefined && engine.canShard(format),
    inputFormat: options.inputFormat,
  });
  const tasks: ScanTask[] = [];
  const sendable = inputs.filter((i) => i !== "-");
  if (sendable.length < inputs.length) {
    const message = "standard input cannot be sent to a cluster: name a file, a URL or s3://";
    result.problem({ input: "-", code: "LDS_E_USAGE", message });
  }
  for await (const step of planInputs(sendable, planner, { inputFormat: options.inputFormat })) {
    if (step.kind === "local") {
      // Problems, skips, unknown formats, and objects from servers without ranges (read here).
      await scanItem(step.item, engine, step.format, result);
      if (options.onHit !== undefined) {
        for (const hit of result.hits ?? []) options.onHit(hit);
        result.hits = [];
      }
      continue;
    }
    if (step.sharded) result.inputsScanned++;
    tasks.push(...step.tasks);
  }
  const timedOut = tasks.length > 0 && (await runJobs(tasks, options, result)) === "timed out";
  // A timeout already said that nothing (or not everything) was scanned, and why.
  if (!options.signal?.aborted && !timedOut) noteNothingScanned(inputs, result);
  return result;
}

/** Enqueues the tasks and merges their results as they finish; says whether it gave up waiting. */
async function runJobs(
  tasks: readonly ScanTask[],
  options: ClusterScanOptions,
  result: Collector,
): Promise<"done" | "timed out"> {
  const { Queue, QueueEvents } = await import("bullmq");
  const name = redactUrl(options.cluster);
  const connection = await openRedis(options.cluster, { forWorker: false });
  const queue: Queue<ClusterJobData, TaskResult> = new Queue(queueName(), { connection });
  const eventsConnection = connection.duplicate();
  const events: QueueEvents = new QueueEvents(queueName(), { connection: eventsConnection });
  // BullMQ prints an 'error' nobody listens to, stack and all; the connection keeps the last
  // one (redis.ts) for the line that gives up.
  queue.on("error", () => {});
  events.on("error", () => {});
  const progress: ScanProgress = {
    ...newScanProgress(),
    planned: true,
    compressed: tasks.some((t) => t.kind === "archive"),
  };
  const pending = new Map<string, ScanTask>();
  const jobOptions = (id: string) => ({
    jobId: id,
    attempts: JOB_ATTEMPTS,
    backoff: { type: "exponential" as const, delay: 1000 },
    removeOnComplete: { age: KEEP_FINISHED_SECONDS },
    removeOnFail: { age: KEEP_FINISHED_SECONDS },
  });
  const jobs = tasks.map((task) => {
    const data: ClusterJobData = { engine: options.engine, carve: options.carve === true, task: reachable(task) };
    if (options.onHit !== undefined) data.collectHits = true;
    const id = jobIdOf(data);
    pending.set(id, task);
    progress.bytesTotal += taskBytes(task);
    return { id, data };
  });
  let finishedAt = Date.now();
  let settle: () => void = () => {};
  const allDone = new Promise<void>((done) => {
    settle = done;
  });
  const finish = (id: string, outcome: TaskResult | Error) => {
    const task = pending.get(id);
    if (task === undefined) return; // already merged: results are keyed by job id
    pending.delete(id);
    finishedAt = Date.now();
    if (outcome instanceof Error) {
      const input = task.kind === "batch" ? task.files.map((f) => f.name).join(", ") : "name" in task ? task.name : id;
      result.problem({ input, code: "LDS_E_INPUT_UNREADABLE", message: `cluster task failed: ${outcome.message}` });
    } else {
      result.aggregates.merge(outcome.entries);
      result.inputsScanned += outcome.inputsScanned;
      result.skipped.push(...outcome.skipped);
      for (const m of outcome.malformed) addMalformed(result.malformed, m.input, m.count, m.offsets);
      for (const p of outcome.problems) result.problem(p);
      // Malformed records were counted per input above; only the total goes here.
      recordStats("", { ...outcome.stats, problems: [], malformedRecords: 0, malformedOffsets: [] }, result);
      result.stats.malformedRecords += outcome.stats.malformedRecords;
      if (options.onHit !== undefined) for (const hit of outcome.hits ?? []) options.onHit(hit);
    }
    progress.bytesDone += taskBytes(task);
    progress.inputsDone = result.inputsScanned;
    progress.matches = result.stats.matches;
    options.onProgress?.({ ...progress });
    if (pending.size === 0) settle();
  };
  /** Looks at a job's state and takes its result when it is final. */
  const check = async (id: string) => {
    // The state first, then the job: a job read before it completed has no return value yet.
    const state = await queue.getJobState(id);
    if (state !== "completed" && state !== "failed") return;
    const job: Job<ClusterJobData, TaskResult> | undefined = await queue.getJob(id);
    if (job === undefined) return;
    if (state === "completed") finish(id, job.returnvalue);
    else finish(id, new Error(job.failedReason || "failed"));
  };
  // The queue is shared: events of other runs' jobs are ignored without asking Redis.
  const onEvent = ({ jobId }: { jobId: string }) => {
    if (pending.has(jobId)) void check(jobId).catch(() => {});
  };
  events.on("completed", onEvent);
  events.on("failed", onEvent);
  /**
   * After a reconnection: results whose events were missed are taken, and jobs a restarted
   * Redis no longer has are enqueued again (same ids, so a result is still counted once).
   */
  let reconciling = false;
  const reconcile = async () => {
    if (reconciling) return;
    reconciling = true;
    try {
      for (const { id, data } of jobs) {
        if (!pending.has(id)) continue;
        const state = await queue.getJobState(id);
        if (state === "unknown") await queue.add(data.task.kind, data, jobOptions(id));
        else await check(id);
      }
    } finally {
      reconciling = false;
    }
  };
  let added = false;
  connection.on("ready", () => {
    if (added) void reconcile().catch(() => {}); // dropped again: the next "ready" tries again
  });
  let timedOut = false;
  let lostRedis: string | undefined;
  /** True when Redis kept the connection but stopped answering (frozen, or the network drops packets). */
  let unanswered = false;
  let counting = false;
  let countingSince = 0;
  const watchdog = setInterval(() => {
    if (Date.now() - finishedAt < options.timeoutMs) return;
    if (counting) {
      // The connection looks alive, but Redis has not answered the count for as long again:
      // a Redis stopped (SIGSTOP, a frozen VM) or a network that drops packets keeps the TCP
      // connection up, and no command of ioredis ever times out. That is Redis lost too.
      if (Date.now() - countingSince < options.timeoutMs) return;
      lostRedis = `no answer for ${Math.round((Date.now() - countingSince) / 1000)} s`;
      unanswered = true;
      timedOut = true;
      settle();
      return;
    }
    if (connection.status !== "ready") {
      // Commands wait for the connection to come back; the wait for Redis ends here.
      lostRedis = lastRedisError(connection) ?? `connection ${connection.status}`;
      timedOut = true;
      settle();
      return;
    }
    counting = true;
    countingSince = Date.now();
    void queue
      .getWorkersCount()
      .then((workers) => {
        if (workers > 0 || pending.size === 0) {
          finishedAt = Date.now();
          // Workers are alive but nothing finished for that long: look at every pending job
          // again, as after a reconnection. Redis can lose jobs without dropping the connection
          // (keys evicted under maxmemory, a FLUSHALL) and a slow reader can miss completion
          // events (BullMQ trims its event stream); waiting for an event would be forever.
          if (added && pending.size > 0) void reconcile().catch(() => {});
          return;
        }
        timedOut = true;
        settle();
      })
      .catch(() => {}) // the connection dropped: the next tick sees it
      .finally(() => {
        counting = false;
      });
  }, 1000);
  const stop = () => settle();
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    const setUp = (async () => {
      await events.waitUntilReady();
      await queue.addBulk(jobs.map(({ id, data }) => ({ name: data.task.kind, data, opts: jobOptions(id) })));
      added = true;
      // Jobs already there from an earlier run: finished ones are taken as they are, failed
      // ones are tried again.
      for (const { id } of jobs) {
        const job = await queue.getJob(id);
        if (job !== undefined && (await job.getState()) === "failed") await job.retry("failed");
        else await check(id);
      }
    })();
    // A command to a Redis that went away waits for it to come back: the watchdog (or Ctrl-C)
    // ends the wait even here. What is still waiting fails when the connection is closed below.
    setUp.catch(() => {});
    await Promise.race([setUp, allDone]);
    if (pending.size > 0) await allDone;
    if (timedOut) {
      const seconds = Math.round(options.timeoutMs / 1000);
      const left = `${pending.size} task${pending.size === 1 ? "" : "s"} not scanned`;
      const message =
        lostRedis !== undefined
          ? `lost Redis (${lostRedis}) and no task finished for ${seconds} s; ${left} (the same scan command ` +
            "resumes once Redis is back)"
          : `no worker alive and no task finished for ${seconds} s; ${left} (start workers of version ` +
            `${engineVersion()}: lsass-dump-scan worker --cluster ${name}; the same scan command then resumes)`;
      result.problem({ input: name, code: "LDS_E_INPUT_UNREADABLE", message });
    }
    return timedOut ? "timed out" : "done";
  } catch (err) {
    if (err instanceof ScanError) throw err;
    throw new ScanError("LDS_E_USAGE", `${name}: ${(err as Error).message}`);
  } finally {
    clearInterval(watchdog);
    options.signal?.removeEventListener("abort", stop);
    // Closing talks to Redis. With Redis gone it would wait on a promise nothing keeps alive
    // (Node then exits 0 mid-await, before the summary): disconnect instead.
    if (!unanswered && connection.status === "ready" && eventsConnection.status === "ready") {
      await events.close();
      await queue.close();
    } else {
      connection.disconnect();
      eventsConnection.disconnect();
      await Promise.race([Promise.allSettled([events.close(), queue.close()]), sleep(1_000)]);
    }
    connection.disconnect();
    eventsConnection.disconnect();
  }
}
