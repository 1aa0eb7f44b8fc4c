/**
 * Follow mode, measured here (not in a timed test): the time from appending a matching line to
 * a followed file to its alert on the follower's stdout (p50/p99 over many appends, each a new
 * group), with fs.watch and with polling only, and the follower's CPU use while nothing is
 * written (utime+stime from /proc over an idle period).
 *
 *   npm run build && npm run build:bench && node dist-bench/bench/follow-bench.js [appends] [idle-seconds]
 */

import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const APPENDS = Number(process.argv[2] ?? 200);
const IDLE_SECONDS = Number(process.argv[3] ?? 20);
const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

function line(host: string): string {
  return `${JSON.stringify({
    EventID: 11,
    Channel: "Microsoft-Windows-Sysmon/Operational",
    UtcTime: "2024-03-05 10:11:12.123",
    TargetFilename: "C:\\Users\\alice\\AppData\\Local\\Temp\\lsass.DMP",
    SourceName: "Microsoft-Windows-Sysmon",
    Image: "C:\\Windows\\System32\\Taskmgr.exe",
    Hostname: host,
  })}\n`;
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime, stime
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function measure(label: string, extra: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "lds-follow-bench-"));
  const log = join(dir, "sysmon.jsonl");
  appendFileSync(log, "");
  const child: ChildProcess = spawn(process.execPath, [CLI, "scan", "--follow", dir, "-q", ...extra], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const seen = new Map<string, number>();
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (s: string) => {
    const now = performance.now();
    partial += s;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) seen.set((JSON.parse(l) as { dest: string }).dest, now);
  });
  await sleep(1500);
  // Idle CPU first: nothing is written.
  const pid = child.pid as number;
  const before = cpuTicks(pid);
  await sleep(IDLE_SECONDS * 1000);
  const idleCpu = (cpuTicks(pid) - before) / TICKS_PER_SECOND / IDLE_SECONDS;
  const latencies: number[] = [];
  for (let i = 0; i < APPENDS; i++) {
    const host = `H${i}`;
    const t0 = performance.now();
    appendFileSync(log, line(host));
    while (!seen.has(host)) {
      if (performance.now() - t0 > 10_000) throw new Error(`${label}: no alert for ${host} in 10 s`);
      await sleep(1);
    }
    latencies.push((seen.get(host) as number) - t0);
    await sleep(20 + Math.random() * 30);
  }
  child.kill("SIGTERM");
  await new Promise((r) => child.once("close", r));
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return `| ${label} | ${APPENDS} | ${percentile(latencies, 50).toFixed(1)} | ${percentile(latencies, 99).toFixed(1)} | ${(idleCpu * 100).toFixed(2)}% |`;
}

const rows = [
  "| follower | appends | p50 ms | p99 ms | idle CPU (of one core) |",
  "|---|---|---|---|---|",
  await measure("fs.watch (+2 s safety poll)", []),
  await measure("fs.watch + --poll-interval 250ms", ["--poll-interval", "250ms"]),
];
process.stdout.write(`${rows.join("\n")}\n`);
