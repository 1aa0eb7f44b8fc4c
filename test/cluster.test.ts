import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateBuffer } from "../src/generate/index.js";
import { CLI, CORPUS, HAVE_CORPUS, ROOT, runCliAsync } from "./helpers/cli.js";
import { startRangeServer } from "./helpers/range-server.js";
import { haveRedisServer, type RedisServer, startRedisServer } from "./helpers/redis-server.js";

const HAVE_REDIS = haveRedisServer();
if (!HAVE_REDIS) console.warn("cluster: redis-server is not installed (Debian package redis-server); skipped");

const big = generateBuffer({ format: "xml", size: 1536 * 1024, seed: 114, hitsPerGb: 20_000 });
const rowsText = `${big.rows.map((r) => JSON.stringify(r)).join("\n")}\n`;

// Worker processes, Redis and a 1.5 s job lock: slow on a loaded 2-core machine.
describe.skipIf(!HAVE_REDIS)("scan --cluster (BullMQ on a real redis-server)", { timeout: 180_000 }, () => {
  let redis: RedisServer;
  let dir: string;
  const workers = new Set<ChildProcess>();

  /** Starts `lsass-dump-scan worker` with a short job lock, so a killed worker's task comes back fast. */
  const startWorker = async (): Promise<ChildProcess> => {
    const child = spawn(
      process.execPath,
      [CLI, "worker", "--cluster", redis.url, "--concurrency", "1", "--lock-ms", "1500"],
      { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] },
    );
    workers.add(child);
    child.once("exit", () => workers.delete(child));
    await new Promise<void>((resolve) => {
      child.stderr?.setEncoding("utf8").on("data", (s: string) => {
        if (s.includes("worker on")) resolve();
      });
    });
    return child;
  };
  const stopWorkers = async () => {
    await Promise.all(
      [...workers].map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once("exit", () => resolve());
            w.kill("SIGTERM");
          }),
      ),
    );
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), "lds-cluster-"));
    writeFileSync(join(dir, "big.xml"), big.buffer);
  });
  afterAll(async () => {
    for (const w of workers) w.kill("SIGKILL");
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("no worker alive: --cluster-timeout ends the wait with one clear line, exit 2", async () => {
    const lonely = join(dir, "lonely.xml");
    writeFileSync(lonely, big.buffer.subarray(0, 200_000));
    const run = await runCliAsync(["scan", lonely, "--cluster", redis.url, "--cluster-timeout", "2", "-q"]);
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /no worker alive and no task finished for 2 s; 1 task not scanned \(start workers of version [0-9.]+: lsass-dump-scan worker --cluster redis:\/\/127\.0\.0\.1:\d+/,
    );
  });

  test("rows byte-identical to a local scan (generated file in 64 KiB shards, and the corpus)", async () => {
    await startWorker();
    await startWorker();
    const inputs = [join(dir, "big.xml"), ...(HAVE_CORPUS ? [CORPUS] : [])];
    const args = ["--shard-size", "64k", "--format", "jsonl", "-q", "--no-progress"];
    const local = await runCliAsync(["scan", ...inputs, ...args]);
    const cluster = await runCliAsync(["scan", ...inputs, ...args, "--cluster", redis.url]);
    expect(cluster.stderr).toBe(local.stderr);
    expect(cluster.status).toBe(local.status);
    expect(cluster.stdout).toBe(local.stdout);
    if (!HAVE_CORPUS) expect(cluster.stdout).toBe(rowsText);
    // The timeline too: every event, with its input, archive member and location, from the workers.
    const localEvents = await runCliAsync(["scan", ...inputs, ...args, "--events"]);
    const clusterEvents = await runCliAsync(["scan", ...inputs, ...args, "--events", "--cluster", redis.url]);
    expect(clusterEvents.stderr).toBe(localEvents.stderr);
    expect(clusterEvents.status).toBe(localEvents.status);
    expect(clusterEvents.stdout).toBe(localEvents.stdout);
    const events = clusterEvents.stdout.trim().split("\n");
    expect(events.filter((line) => line.includes('"input":"' + join(dir, "big.xml")))).toHaveLength(big.hits);
    await stopWorkers();
  });

  test("a worker SIGKILLed mid-shard loses nothing: the stalled shard runs again on its replacement", async () => {
    const server = await startRangeServer(new Map([["big.xml", big.buffer]]));
    let victim: ChildProcess | undefined;
    let hung = false;
    let replaced: Promise<ChildProcess> | undefined;
    server.setFault((r, nth) => {
      // The coordinator's first look is request 1; from the 6th on, the worker is mid-task.
      if (hung || nth < 6 || r.range === "bytes=0-65535") return undefined;
      hung = true;
      victim?.kill("SIGKILL");
      replaced = startWorker();
      return { kind: "hang" };
    });
    try {
      victim = await startWorker();
      const url = server.url("big.xml");
      const run = await runCliAsync([
        "scan",
        url,
        "--cluster",
        redis.url,
        "--shard-size",
        "64k",
        "--format",
        "jsonl",
        "-q",
      ]);
      expect(hung).toBe(true);
      expect(victim.signalCode).toBe("SIGKILL");
      expect(run.stderr).toBe("");
      expect(run.stdout).toBe(rowsText);
      expect(run.status).toBe(1);
      await replaced;

      // The same command again: every shard is reused, no worker reads a byte.
      server.requests.length = 0;
      const again = await runCliAsync([
        "scan",
        url,
        "--cluster",
        redis.url,
        "--shard-size",
        "64k",
        "--format",
        "jsonl",
        "-q",
      ]);
      expect(again.stdout).toBe(rowsText);
      expect(server.requests.map((r) => r.range)).toEqual(["bytes=0-65535"]); // the coordinator's own look
    } finally {
      await stopWorkers();
      await server.close();
    }
  });
});
