/**
 * Remote inputs against local files, on loopback: one generated XML log scanned from the page
 * cache and over HTTP Range requests from a node:http server in a process of its own (the
 * tests' Range server, test/helpers/range-server.ts), each on 1 and 2 threads, median of the
 * runs, rows checked against the generator's each time. Also the start-up cost of remote
 * support: `scan` of a small local file through the CLI, this build against another (the
 * build before remote inputs, e.g. /work/main/dist), median of the runs.
 *
 *   npm run build:bench && node dist-bench/bench/remote-bench.js [size-MiB] [runs] [other-cli]
 *   node dist-bench/bench/remote-bench.js --startup [other-cli]     (start-up only)
 */

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateCorpus } from "../src/generate/index.js";
import { scan } from "../src/index.js";
import { startRangeServer } from "../test/helpers/range-server.js";
import { ensureBuildLinks } from "./build-links.js";
import { REPO_ROOT } from "./data-store.js";
import { machineInfo } from "./machine-info.js";

const sizeMiB = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 5);
const otherCli = process.argv[2] === "--startup" ? process.argv[3] : process.argv[4];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** The server side: serves argv[3] as /log.xml and prints its origin. */
async function serve(file: string): Promise<void> {
  const server = await startRangeServer(new Map([["log.xml", readFileSync(file)]]));
  process.stdout.write(`${server.origin}\n`);
}

async function startServerProcess(file: string): Promise<{ origin: string; stop(): void }> {
  const child = spawn(process.execPath, [import.meta.filename, "--serve", file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const origin = await new Promise<string>((resolve) => {
    child.stdout.setEncoding("utf8").once("data", (s: string) => resolve(s.trim()));
  });
  return { origin, stop: () => child.kill() };
}

async function main(): Promise<void> {
  ensureBuildLinks();
  const dir = join(REPO_ROOT, "bench", ".data");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `remote-${sizeMiB}m.xml`);
  const expectedFile = `${file}.rows.json`;
  if (!existsSync(file) || !existsSync(expectedFile)) {
    const out = await generateCorpus({
      format: "xml",
      size: sizeMiB * 1024 * 1024,
      seed: 14,
      hitsPerGb: 64,
      out: file,
    });
    writeFileSync(expectedFile, JSON.stringify(out.rows));
  }
  const expected = readFileSync(expectedFile, "utf8");
  const server = await startServerProcess(file);
  const url = `${server.origin}/log.xml`;
  const bytes = sizeMiB * 1024 * 1024;
  const table: string[] = ["| input | threads | median s | MB/s |", "|---|---|---|---|"];
  try {
    for (const workers of [1, 2]) {
      for (const [label, input] of [
        ["local file (page cache)", file],
        ["http:// loopback, ranged", url],
      ] as const) {
        const times: number[] = [];
        for (let i = 0; i <= runs; i++) {
          const start = performance.now();
          const outcome = await scan([input], { workers });
          const ms = performance.now() - start;
          if (JSON.stringify(outcome.rows) !== expected || outcome.problems.length > 0) {
            throw new Error(`${label}: rows differ from the generator's`);
          }
          if (i > 0) times.push(ms); // the first run warms the cache and the server
        }
        const s = median(times) / 1000;
        table.push(`| ${label} | ${workers} | ${s.toFixed(3)} | ${(bytes / 1e6 / s).toFixed(0)} |`);
      }
    }
  } finally {
    server.stop();
  }
  const lines = [...machineInfo(), `size ${sizeMiB} MiB XML, ${runs} runs after a warm-up, medians`, "", ...table, ""];
  lines.push(...startupLines(dir));
  process.stdout.write(`${lines.join("\n")}\n`);
}

/**
 * Start-up: CLI `scan` of a 15-byte local file, this build and the other one (when given)
 * interleaved run by run, so that a load change hits both alike; medians of 21.
 */
function startupLines(dir: string): string[] {
  const small = join(dir, "remote-startup.json");
  writeFileSync(small, '{"EventID": 1}\n');
  const clis = [join(REPO_ROOT, "dist", "cli", "main.js"), ...(otherCli === undefined ? [] : [otherCli])];
  const times = clis.map(() => [] as number[]);
  for (let i = 0; i < 21; i++) {
    clis.forEach((cli, k) => {
      const start = performance.now();
      const r = spawnSync(process.execPath, [cli, "scan", small, "-q", "--no-progress"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${cli}: exit ${r.status} ${r.stderr}`);
      times[k]?.push(performance.now() - start);
    });
  }
  return clis.map(
    (cli, k) =>
      `start-up, CLI scan of a 15-byte local file, median of 21 (interleaved): ${cli}: ${median(times[k] ?? []).toFixed(0)} ms`,
  );
}

if (process.argv[2] === "--serve") await serve(process.argv[3] as string);
else if (process.argv[2] === "--startup") {
  ensureBuildLinks();
  process.stdout.write(`${startupLines(join(REPO_ROOT, "bench", ".data")).join("\n")}\n`);
} else await main();
