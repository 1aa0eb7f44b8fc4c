/**
 * The cluster through Redis, measured here: one coordinator (this process, scanCluster) and 1-4
 * `lsass-dump-scan worker` processes on a real redis-server (Debian `redis-server`, started on
 * a free loopback port), on one generated XML file cut into many small shards, so that the
 * per-job cost shows: jobs per second end to end, the time per shard above a local scan of the
 * same shards, and Redis's own CPU time per job (INFO cpu before and after), from which
 * bench/RESULTS.md extrapolates what keeps Redis below 10% busy at 10 TB/hour. Rows are
 * checked against the generator's on every run.
 *
 *   npm run build && npm run build:bench && node dist-bench/bench/cluster-bench.js [size-MiB] [shard-KiB]
 */

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { Redis } from "ioredis";
import { scanCluster } from "../src/cluster/coordinator.js";
import { generateBuffer } from "../src/generate/index.js";
import { scan, toRows } from "../src/index.js";
import { haveRedisServer, startRedisServer } from "../test/helpers/redis-server.js";
import { ensureBuildLinks } from "./build-links.js";
import { REPO_ROOT } from "./data-store.js";
import { machineInfo } from "./machine-info.js";

const sizeMiB = Number(process.argv[2] ?? 32);
const shardKiB = Number(process.argv[3] ?? 64);

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field("used_cpu_sys") + field("used_cpu_user");
}

async function startWorker(url: string): Promise<ChildProcess> {
  const cli = join(REPO_ROOT, "dist", "cli", "main.js");
  const child = spawn(process.execPath, [cli, "worker", "--cluster", url, "--concurrency", "1"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((resolve) => {
    child.stderr?.setEncoding("utf8").on("data", (s: string) => {
      if (s.includes("worker on")) resolve();
    });
  });
  return child;
}

async function main(): Promise<void> {
  ensureBuildLinks();
  if (!haveRedisServer()) throw new Error("redis-server is not installed (Debian package redis-server)");
  const server = await startRedisServer();
  const redis = new Redis(server.url);
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const dir = mkdtempSync(join(REPO_ROOT, "bench", ".data", "cluster-"));
  const corpus = generateBuffer({ format: "xml", size: sizeMiB * 1024 * 1024, seed: 7, hitsPerGb: 2000 });
  const shardSize = shardKiB * 1024;
  const expected = JSON.stringify(corpus.rows);
  const table = [
    "| workers | jobs | wall s | jobs/s | ms per job (wall) | Redis CPU µs per job |",
    "|---|---|---|---|---|---|",
  ];
  const localStart = performance.now();
  const file0 = join(dir, "local.xml");
  writeFileSync(file0, corpus.buffer);
  const local = await scan([file0], { workers: 1, shardSize });
  const localMs = performance.now() - localStart;
  if (JSON.stringify(local.rows) !== expected) throw new Error("local rows differ");
  const workers: ChildProcess[] = [];
  try {
    for (let n = 1; n <= 4; n++) {
      while (workers.length < n) workers.push(await startWorker(server.url));
      // A new file each round (same bytes): new job ids, nothing reused from the last round.
      const file = join(dir, `round-${n}.xml`);
      writeFileSync(file, corpus.buffer);
      const cpuBefore = await redisCpuSeconds(redis);
      const start = performance.now();
      const result = await scanCluster([file], { cluster: server.url, engine: "wasm", shardSize, timeoutMs: 60_000 });
      const ms = performance.now() - start;
      const cpu = (await redisCpuSeconds(redis)) - cpuBefore;
      if (JSON.stringify(toRows(result.aggregates.entries())) !== expected || result.problems.length > 0) {
        throw new Error(`cluster rows differ with ${n} workers`);
      }
      const jobs = Math.ceil(corpus.buffer.length / shardSize);
      table.push(
        `| ${n} | ${jobs} | ${(ms / 1000).toFixed(2)} | ${((jobs * 1000) / ms).toFixed(0)} | ${(ms / jobs).toFixed(2)} | ${((cpu * 1e6) / jobs).toFixed(0)} |`,
      );
    }
  } finally {
    for (const w of workers) w.kill("SIGTERM");
    redis.disconnect();
    await server.stop();
  }
  const lines = [
    ...machineInfo(),
    `${sizeMiB} MiB XML in ${shardKiB} KiB shards; local scan of the same shards on 1 thread: ${(localMs / 1000).toFixed(2)} s`,
    "",
    ...table,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
