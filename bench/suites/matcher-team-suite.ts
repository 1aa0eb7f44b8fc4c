/**
 * The matcher team's own benchmark (bench/matcher.bench.ts: the wasm matcher's scan loop
 * without the engine's framing, the engine's stream path, a Buffer.indexOf scanner and the
 * reference engine on 64 MiB in memory; and whole-file scans per block size, the measurement
 * behind the wasm engine's DEFAULT_BLOCK_BYTES), folded into the one table. It is compiled by
 * `npm run build:bench` with the rest of bench/ and run as it is, in its own process; its
 * Markdown rows become rows here. Its answer checks are its own (it throws on a wrong count).
 * Its environment knobs (LDS_BENCH_MATCHER_SIZE, LDS_BENCH_BLOCKS_SIZE, ...) pass through.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../data-store.js";
import { runProcess } from "../processes.js";
import { formatRatio, type ResultRow } from "../result-table.js";
import type { Suite } from "./suite-context.js";

const BUILT = join(REPO_ROOT, "dist-bench", "bench", "matcher.bench.js");

/** Rows of the two tables matcher.bench prints. */
export function matcherBenchRows(stdout: string): ResultRow[] {
  const rows: ResultRow[] = [];
  // Its columns say GB/s (or MB/s); read the unit from the headers.
  const headerUnit = (pattern: RegExp) => (pattern.exec(stdout)?.[1] === "MB/s" ? 1 : 1000);
  const mainUnit = headerUnit(/^\| dataset \| wasm matcher (GB\/s|MB\/s)/m);
  const blockUnit = headerUnit(/^\| block [^|]*\| (GB\/s|MB\/s) \|/m);
  const gbps = (text: string | undefined) => Number(text) * mainUnit;
  for (const line of stdout.split("\n")) {
    const cells = line
      .trim()
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length === 7 && /^[\d.]+$/.test(cells[1] ?? "")) {
      const [dataset, wasm, searcher, indexOf, reference, vsIndexOf, vsReference] = cells;
      const caseText = `${dataset} (matcher.bench, in memory)`;
      rows.push({
        suite: "matcher-team",
        case: caseText,
        subject: "wasm matcher scan loop",
        mbps: gbps(wasm),
        ratios: `${vsReference?.replace("x", "×")} reference, ${vsIndexOf?.replace("x", "×")} indexOf`,
      });
      rows.push({
        suite: "matcher-team",
        case: caseText,
        subject: "wasm engine, stream, 4 MiB blocks",
        mbps: gbps(searcher),
      });
      rows.push({ suite: "matcher-team", case: caseText, subject: "its Buffer.indexOf scanner", mbps: gbps(indexOf) });
      rows.push({ suite: "matcher-team", case: caseText, subject: "reference engine", mbps: gbps(reference) });
    } else if (cells.length === 2 && /^[\d.]+$/.test(cells[1] ?? "") && /iB$/.test(cells[0] ?? "")) {
      rows.push({
        suite: "matcher-team",
        case: "XML file in page cache, per wasm block size (matcher.bench)",
        subject: `wasm engine scanFile, ${cells[0]} blocks`,
        mbps: Number(cells[1]) * blockUnit,
      });
    }
  }
  const blocks = rows.filter((r) => r.subject.startsWith("wasm engine scanFile"));
  const best = Math.max(...blocks.map((r) => r.mbps ?? 0));
  for (const r of blocks) if (r.mbps !== undefined && best > 0) r.ratios = `${formatRatio(r.mbps / best)} best block`;
  return rows;
}

/** The folded matcher-team suite. */
export const matcherTeamSuite: Suite = async (context) => {
  if (!existsSync(BUILT)) {
    return [
      { suite: "matcher-team", case: "-", subject: "bench/matcher.bench.ts", note: "skipped: not in this checkout" },
    ];
  }
  context.progress("matcher-team: node dist-bench/bench/matcher.bench.js (its own data and timing)");
  const run = await runProcess(process.execPath, [BUILT]);
  if (run.status !== 0) throw new Error(`matcher-team: bench/matcher.bench.ts failed: ${run.stderr.trim()}`);
  const rows = matcherBenchRows(run.stdout);
  if (rows.length === 0) throw new Error(`matcher-team: no table in its output: ${run.stdout}`);
  return rows;
};
