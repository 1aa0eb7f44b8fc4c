/**
 * `lsass-dump-scan worker --cluster redis://...`: one machine's share of a cluster scan. A
 * BullMQ worker takes planned tasks from the queue and runs each on this process's own piscina
 * pool (the same worker threads as a local scan), so the event loop that renews BullMQ's job
 * locks never waits behind a scan. A worker killed mid-task loses nothing: its lock expires,
 * BullMQ's stalled-job check puts the job back, and another worker runs it again.
 */

import { setTimeout as sleep } from "node:timers/promises";
import type { Job } from "bullmq";
import { Piscina } from "piscina";
import { ScanError } from "../errors.js";
import { workerEntry } from "../pool/dispatcher.js";
import type { TaskResult, WorkerSetup } from "../pool/task.js";
import { redactUrl } from "../source/redact.js";
import { compiledMatcher } from "../wasm/module.js";
import { type ClusterJobData, engineVersion, queueName } from "./cluster-job.js";
import { openRedis } from "./redis.js";

/**
 * Default job lock: 30 s (BullMQ's default). A killed worker's shard is taken up again after
 * about this long; the lock is renewed every half of it while a shard runs.
 */
export const DEFAULT_LOCK_MS = 30_000;

/** Options of {@link runClusterWorker}. */
export interface ClusterWorkerOptions {
  /** `redis://[user:password@]host:port[/db]` */
  cluster: string;
  /** Tasks at once, each on a thread of this process's pool. */
  concurrency: number;
  /** Job lock and stalled-job check interval, ms (default {@link DEFAULT_LOCK_MS}). */
  lockMs?: number | undefined;
  /** Stops the worker: running tasks finish, no new ones are taken. */
  signal: AbortSignal;
  /** One line per event worth telling (start, a failed task). */
  log: (line: string) => void;
}

/** Runs a cluster worker until `signal` aborts. */
export async function runClusterWorker(options: ClusterWorkerOptions): Promise<void> {
  const { Worker } = await import("bullmq");
  const connection = await openRedis(options.cluster, { forWorker: true });
  const pools = new Map<string, Promise<Piscina>>();
  const poolFor = (data: ClusterJobData): Promise<Piscina> => {
    const key = `${data.engine} ${data.carve} ${data.collectHits === true}`;
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = (async () => {
        const setup: WorkerSetup = {
          engine: data.engine,
          carve: data.carve,
          wasmModule: data.engine === "wasm" ? await compiledMatcher() : undefined,
          collectHits: data.collectHits === true,
        };
        return new Piscina({ filename: workerEntry().href, maxThreads: options.concurrency, workerData: setup });
      })();
      pools.set(key, pool);
    }
    return pool;
  };
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  const worker = new Worker<ClusterJobData, TaskResult>(
    queueName(),
    async (job: Job<ClusterJobData, TaskResult>) => (await poolFor(job.data)).run(job.data.task) as Promise<TaskResult>,
    { connection, concurrency: options.concurrency, lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: 1 },
  );
  worker.on("failed", (job, err) => options.log(`task ${job?.id ?? "?"} failed: ${err.message}`));
  // A Redis outage repeats the same error on every reconnection attempt: one line for it, and
  // one when Redis is back, not a line a second for as long as it lasts.
  let lastError: string | undefined;
  worker.on("error", (err) => {
    if (err.message !== lastError) options.log(`redis: ${err.message}`);
    lastError = err.message;
  });
  connection.on("ready", () => {
    if (lastError !== undefined) options.log("redis: connected again");
    lastError = undefined;
  });
  await worker.waitUntilReady().catch((err: unknown) => {
    throw new ScanError("LDS_E_USAGE", `cannot reach ${redactUrl(options.cluster)}: ${String(err)}`);
  });
  options.log(`worker on ${redactUrl(options.cluster)}, ${options.concurrency} at a time, version ${engineVersion()}`);
  try {
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      else options.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    if (connection.status === "ready") await worker.close();
    else {
      // Redis is gone (a machine shutting down often stops it first): closing would wait for
      // it forever, and a task in hand cannot be stored anyway (it stalls and runs elsewhere).
      connection.disconnect();
      await Promise.race([worker.close(true).catch(() => {}), sleep(1_000)]);
    }
    for (const pool of pools.values()) await (await pool).destroy();
    connection.disconnect();
  }
}
