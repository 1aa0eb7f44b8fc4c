/**
 * The cluster when its parts fail as they do in real life: Redis killed mid-scan and started
 * again empty (it runs without persistence, as the README shows), Redis gone for good, Redis
 * with `requirepass`, and a worker of another version on the same Redis. Real redis-server
 * processes on free loopback ports; skipped, naming the Debian package, when it is missing.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { queueName } from "../src/cluster/cluster-job.js";
import { generateBuffer } from "../src/generate/index.js";
import { CLI, ROOT } from "./helpers/cli.js";
import { startCli } from "./helpers/cli-async.js";
import { haveRedisServer, type RedisServer, startRedisServer } from "./helpers/redis-server.js";

const HAVE_REDIS = haveRedisServer();
if (!HAVE_REDIS) console.warn("cluster outages: redis-server is not installed (Debian package redis-server); skipped");

const big = generateBuffer({ format: "xml", size: 512 * 1024, seed: 115, hitsPerGb: 40_000 });
const rowsText = `${big.rows.map((r) => JSON.stringify(r)).join("\n")}\n`;
const SCAN_ARGS = ["--shard-size", "64k", "--format", "jsonl", "-q", "--no-progress"];

describe.skipIf(!HAVE_REDIS)("cluster outages (real redis-server)", { timeout: 60_000 }, () => {
  let dir: string;
  let file: string;
  const redises = new Set<RedisServer>();
  const children = new Set<ChildProcess>();

  const redisServer = async (options: Parameters<typeof startRedisServer>[0] = {}) => {
    const server = await startRedisServer(options);
    redises.add(server);
    return server;
  };

  /** `lsass-dump-scan worker` with a short job lock; resolves once it is taking jobs. */
  const startWorker = async (url: string): Promise<{ child: ChildProcess; stderr: () => string }> => {
    const child = spawn(
      process.execPath,
      [CLI, "worker", "--cluster", url, "--concurrency", "1", "--lock-ms", "1500"],
      {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    children.add(child);
    child.once("exit", () => children.delete(child));
    let text = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr?.setEncoding("utf8").on("data", (s: string) => {
        text += s;
        if (text.includes("worker on")) resolve();
      });
      child.once("exit", () => reject(new Error(`worker exited: ${text}`)));
    });
    return { child, stderr: () => text };
  };

  /** Resolves once a coordinator has queued its jobs on `url` (no worker yet: they wait there). */
  const jobsQueued = async (url: string): Promise<void> => {
    const { Redis } = await import("ioredis");
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      await probe.connect();
      const waitList = `bull:${queueName()}:wait`;
      for (let i = 0; i < 400 && (await probe.llen(waitList)) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await probe.llen(waitList)).toBeGreaterThan(0);
    } finally {
      probe.disconnect();
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "lds-cluster-outage-"));
    file = join(dir, "big.xml");
    writeFileSync(file, big.buffer);
  });
  afterEach(async () => {
    await Promise.all(
      [...children].map(
        (c) =>
          new Promise<void>((resolve) => {
            c.once("exit", () => resolve());
            c.kill("SIGKILL");
          }),
      ),
    );
    for (const r of redises) await r.stop();
    redises.clear();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("Redis killed after the jobs were queued and started again empty: the coordinator queues them again; rows exact, counted once", async () => {
    const first = await redisServer();
    const run = startCli(["scan", file, ...SCAN_ARGS, "--cluster", first.url, "--cluster-timeout", "20"]);
    await jobsQueued(first.url);
    await first.kill(); // every job lost: no persistence
    await new Promise((r) => setTimeout(r, 1_000));
    const second = await redisServer({ port: first.port });
    await startWorker(second.url);
    const done = await run.done;
    expect(done.stderr).toBe("");
    expect(done.stdout).toBe(rowsText);
    expect(done.status).toBe(1);
  });

  test("a worker outlives a Redis restart: one line when Redis goes, one when it is back, then it takes jobs again", async () => {
    const first = await redisServer();
    const worker = await startWorker(first.url);
    await first.kill();
    await new Promise((r) => setTimeout(r, 2_500)); // several reconnection attempts
    const second = await redisServer({ port: first.port });
    const run = await startCli(["scan", file, ...SCAN_ARGS, "--cluster", second.url, "--cluster-timeout", "20"]).done;
    expect(run.stdout).toBe(rowsText);
    expect(run.status).toBe(1);
    const lines = worker.stderr().trim().split("\n");
    // Not one a second: the same error once (twice if another came between).
    const refused = lines.filter((l) => l.includes("redis: connect ECONNREFUSED")).length;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(2);
    expect(lines.filter((l) => l.endsWith("redis: connected again"))).toHaveLength(1);
  });

  test("a worker stopped (SIGTERM) while Redis is gone, as at a machine's shutdown, exits in seconds", async () => {
    const redis = await redisServer();
    const worker = await startWorker(redis.url);
    await redis.kill();
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => worker.child.once("exit", (code) => resolve(code)));
    worker.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000); // before: never (it waited for Redis)
  });

  test("the coordinator SIGKILLed mid-scan and started again with the same command: finished shards reused, rows exact", async () => {
    const redis = await redisServer();
    const first = startCli(["scan", file, ...SCAN_ARGS, "--cluster", redis.url, "--cluster-timeout", "20"]);
    await jobsQueued(redis.url);
    first.child.kill("SIGKILL");
    await first.done;
    // The worker runs the orphaned jobs meanwhile; the second coordinator takes their results.
    await startWorker(redis.url);
    await new Promise((r) => setTimeout(r, 500));
    const again = await startCli(["scan", file, ...SCAN_ARGS, "--cluster", redis.url, "--cluster-timeout", "20"]).done;
    expect(again.stderr).toBe("");
    expect(again.stdout).toBe(rowsText);
    expect(again.status).toBe(1);
  });

  test("Redis gone for good: one line naming why, no stack trace, exit 2, and the process ends", async () => {
    const gone = await redisServer();
    // 4 KiB shards: 128 jobs, so Redis goes while the coordinator still queues and checks them
    // (a command then waits for Redis to come back: the watchdog must end that wait too).
    const run = startCli([
      "scan",
      file,
      ...SCAN_ARGS,
      "--shard-size",
      "4k",
      "--cluster",
      gone.url,
      "--cluster-timeout",
      "2",
    ]);
    await jobsQueued(gone.url);
    await gone.kill();
    const done = await run.done;
    expect(done.status).toBe(2);
    expect(done.stdout).toBe("");
    const lines = done.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^lsass-dump-scan: redis:\/\/127\.0\.0\.1:\d+: lost Redis \(connect ECONNREFUSED [^)]+\) and no task finished for 2 s; \d+ tasks not scanned \(the same scan command resumes once Redis is back\)$/,
    );
  });

  test("Redis that stops answering but keeps the connection (SIGSTOP): one line after --cluster-timeout, exit 2, not a wait forever", async () => {
    const frozen = await redisServer();
    const run = startCli(["scan", file, ...SCAN_ARGS, "--cluster", frozen.url, "--cluster-timeout", "2"]);
    await jobsQueued(frozen.url);
    frozen.freeze();
    const started = Date.now();
    // Before, the watchdog waited for Redis's answer to its worker count, which never came.
    const killer = setTimeout(() => run.child.kill("SIGKILL"), 20_000);
    const done = await run.done;
    clearTimeout(killer);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(done.status).toBe(2);
    expect(done.stdout).toBe("");
    expect(done.stderr).toMatch(
      /^lsass-dump-scan: redis:\/\/127\.0\.0\.1:\d+: lost Redis \(no answer for 2 s\) and no task finished for 2 s; \d+ tasks not scanned \(the same scan command resumes once Redis is back\)\n$/,
    );
  });

  test("Redis loses the queued jobs but keeps the connection (FLUSHALL, as eviction under maxmemory does): queued again once the workers idle for --cluster-timeout", async () => {
    const redis = await redisServer();
    const run = startCli(["scan", file, ...SCAN_ARGS, "--cluster", redis.url, "--cluster-timeout", "6"]);
    await jobsQueued(redis.url);
    const { Redis } = await import("ioredis");
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
    await client.flushall();
    client.disconnect();
    await startWorker(redis.url);
    // Before, the coordinator waited for completion events of jobs no longer there, forever:
    // a worker was alive, so its watchdog never ended the wait either.
    const killer = setTimeout(() => run.child.kill("SIGKILL"), 40_000);
    const done = await run.done;
    clearTimeout(killer);
    expect(done.stderr).toBe("");
    expect(done.stdout).toBe(rowsText);
    expect(done.status).toBe(1);
  });

  test("Redis with requirepass: a missing or wrong password is one line saying so; the right one works and is never printed", async () => {
    const password = "pw-9f1c2e77d4";
    const locked = await redisServer({ args: ["--requirepass", password] });
    const port = new URL(locked.url).port;
    const noPassword = await startCli(["scan", file, ...SCAN_ARGS, "--cluster", locked.url]).done;
    expect(noPassword.status).toBe(2);
    expect(noPassword.stderr).toMatch(/^lsass-dump-scan: cannot reach redis:\/\/127\.0\.0\.1:\d+: NOAUTH [^\n]*\n$/);
    const wrong = `redis://:not-${password}@127.0.0.1:${port}`;
    const wrongRun = await startCli(["scan", file, ...SCAN_ARGS, "--cluster", wrong]).done;
    expect(wrongRun.status).toBe(2);
    expect(wrongRun.stderr).toMatch(/cannot reach redis:\/\/127\.0\.0\.1:\d+: WRONGPASS/);
    expect(wrongRun.stderr).not.toContain(password);

    const right = `redis://:${password}@127.0.0.1:${port}`;
    const worker = await startWorker(right);
    const ok = await startCli(["scan", file, ...SCAN_ARGS, "--cluster", right]).done;
    expect(ok.stdout).toBe(rowsText);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(1);
    expect(worker.stderr()).not.toContain(password);
  });

  test("a worker of another version takes none of this version's jobs; the coordinator says which version it waits for", async () => {
    const shared = await redisServer();
    const { Worker } = await import("bullmq");
    const { Redis } = await import("ioredis");
    const connection = new Redis(shared.url, { maxRetriesPerRequest: null });
    let taken = 0;
    // What an older build runs: its own queue name (the unversioned one before 0.1.0, or another version's).
    const others = ["lsass-dump-scan", "lsass-dump-scan-0.0.9"].map(
      (name) =>
        new Worker(
          name,
          async () => {
            taken++;
            return {};
          },
          { connection },
        ),
    );
    try {
      await Promise.all(others.map((w) => w.waitUntilReady()));
      const run = await startCli(["scan", file, ...SCAN_ARGS, "--cluster", shared.url, "--cluster-timeout", "2"]).done;
      expect(taken).toBe(0);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(
        /no worker alive and no task finished for 2 s; \d+ tasks not scanned \(start workers of version \d+\.\d+\.\d+/,
      );
    } finally {
      await Promise.all(others.map((w) => w.close()));
      connection.disconnect();
    }
  });
});
