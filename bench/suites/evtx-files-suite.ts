/**
 * The EVTX team's own benchmark (bench/evtx-bench.ts: a folder of real-sized Sysmon EVTX files,
 * fast mode on 1 and 2 threads, reference mode, libevtx's evtxexport), folded into the one
 * table: it is built with its own tsconfig (bench/evtx-tsconfig.json, output in bench/.data/js)
 * and run as it is; its Markdown rows become rows here. Its answer checks are its own (it
 * throws on a wrong match count, which fails this suite).
 *
 * LDS_BENCH_EVTX_FILES (default 256) and LDS_BENCH_EVTX_RUNS (default 5) are its two arguments.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../data-store.js";
import { runProcess } from "../processes.js";
import type { ResultRow } from "../result-table.js";
import type { Suite } from "./suite-context.js";

const SCRIPT = join(REPO_ROOT, "bench", "evtx-bench.ts");
const TSCONFIG = join(REPO_ROOT, "bench", "evtx-tsconfig.json");
const BUILT = join(REPO_ROOT, "bench", ".data", "js", "bench", "evtx-bench.js");

/** Rows of the `| what | MB/s | note |` (once GB/s) table evtx-bench prints. */
export function evtxBenchRows(stdout: string): ResultRow[] {
  const caseText = /^EVTX scan, ([^;]+);/m.exec(stdout)?.[1] ?? "EVTX files";
  const rows: ResultRow[] = [];
  // Its throughput column has been GB/s and MB/s; the header says which.
  const perMb = /^\| what \| MB\/s \|/m.test(stdout) ? 1 : 1000;
  for (const line of stdout.split("\n")) {
    const m = /^\| (.+?) \| ([\d.]+) \| (.*?) \|$/.exec(line.trim());
    if (m === null) continue;
    rows.push({ suite: "evtx-files", case: caseText, subject: m[1] ?? "", mbps: Number(m[2]) * perMb, note: m[3] });
  }
  const ratio = /^fast, 2 threads \/ evtxexport, 2 processes: (.+)$/m.exec(stdout)?.[1];
  if (ratio !== undefined && rows.length > 0) {
    const fast2 = rows.find((r) => r.subject.startsWith("fast (wasm prefilter), 2 threads"));
    if (fast2 !== undefined) fast2.ratios = `${ratio} evtxexport`;
  }
  return rows;
}

/** The folded EVTX-files suite. */
export const evtxFilesSuite: Suite = async (context) => {
  if (!existsSync(SCRIPT) || !existsSync(TSCONFIG)) {
    return [{ suite: "evtx-files", case: "-", subject: "bench/evtx-bench.ts", note: "skipped: not in this checkout" }];
  }
  const files = process.env.LDS_BENCH_EVTX_FILES || "256";
  const runs = process.env.LDS_BENCH_EVTX_RUNS || "5";
  context.progress(`evtx-files: building bench/evtx-bench.ts`);
  const tsc = await runProcess(process.execPath, [
    join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"),
    "-p",
    TSCONFIG,
  ]);
  if (tsc.status !== 0)
    throw new Error(`evtx-files: tsc -p bench/evtx-tsconfig.json failed: ${tsc.stdout}${tsc.stderr}`);
  context.progress(`evtx-files: node ${BUILT} ${files} ${runs} (its own data and timing)`);
  const run = await runProcess(process.execPath, [BUILT, files, runs]);
  if (run.status !== 0) throw new Error(`evtx-files: bench/evtx-bench.ts failed: ${run.stderr.trim()}`);
  const rows = evtxBenchRows(run.stdout);
  if (rows.length === 0) throw new Error(`evtx-files: no table in its output: ${run.stdout}`);
  return rows;
};
