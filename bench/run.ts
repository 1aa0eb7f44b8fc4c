/**
 * `npm run bench`: every suite, one table. Sizes and suites come from LDS_BENCH_* (see
 * bench/config.ts and bench/RESULTS.md); generated inputs are kept in bench/.data/. The table
 * is Markdown (paste it into bench/RESULTS.md with the header lines above it); the same rows
 * are written to bench/.data/last-run.json and .md (the .md after every suite as it goes).
 *
 * A benchmark that finds the wrong number of matches stops the run with a non-zero status.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchEngines } from "./bench-engines.js";
import { ensureBuildLinks } from "./build-links.js";
import { benchConfig, formatSize, type SuiteName } from "./config.js";
import { DATA_DIR, ensureFreeSpace } from "./data-store.js";
import { machineInfo } from "./machine-info.js";
import { type ResultRow, renderTable } from "./result-table.js";
import { e2eSuite } from "./suites/e2e-suite.js";
import { embedSuite } from "./suites/embed-suite.js";
import { evtxFilesSuite } from "./suites/evtx-files-suite.js";
import { evtxSuite } from "./suites/evtx-suite.js";
import { gzipSuite } from "./suites/gzip-suite.js";
import { matcherSuite } from "./suites/matcher-suite.js";
import { matcherTeamSuite } from "./suites/matcher-team-suite.js";
import { poolSuite } from "./suites/pool-suite.js";
import { rssSuite } from "./suites/rss-suite.js";
import { smallFilesSuite } from "./suites/small-files-suite.js";
import { speedSuite } from "./suites/speed-suite.js";
import { stdinZipSuite } from "./suites/stdin-zip-suite.js";
import type { Suite, SuiteContext } from "./suites/suite-context.js";
import { utf16Suite } from "./suites/utf16-suite.js";

const SUITES: Record<SuiteName, Suite> = {
  matcher: matcherSuite,
  evtx: evtxSuite,
  pool: poolSuite,
  e2e: e2eSuite,
  "small-files": smallFilesSuite,
  rss: rssSuite,
  "stdin-zip": stdinZipSuite,
  gzip: gzipSuite,
  "matcher-team": matcherTeamSuite,
  "evtx-files": evtxFilesSuite,
  speed: speedSuite,
  utf16: utf16Suite,
  embed: embedSuite,
};

async function main(): Promise<void> {
  ensureBuildLinks();
  const config = benchConfig();
  const engines = await benchEngines();
  ensureFreeSpace(0, "bench/.data");
  const started = performance.now();
  const context: SuiteContext = {
    config,
    engines,
    sampling: { samples: config.samples, timeMs: config.timeMs },
    processSampling: { samples: Math.max(1, Math.min(config.samples, 3)), timeMs: 0 },
    facts: new Map(),
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  };
  const header = [
    ...machineInfo(),
    `command: npm run bench${process.env.LDS_BENCH_SUITES ? ` (LDS_BENCH_SUITES=${process.env.LDS_BENCH_SUITES})` : ""}`,
    `suites: ${config.suites.join(", ")}; seed ${config.seed}; ≥ ${config.samples} samples (≥ ${config.timeMs} ms) in process, ${context.processSampling.samples} per process, medians; one warm-up call first`,
    `sizes: buffers ${config.bufferSizes.map(formatSize).join(", ")} (volume ${formatSize(config.matcherVolume)}); pool ${formatSize(config.poolSize)} xml, ${formatSize(config.poolEvtxSize)} evtx; e2e ${formatSize(config.e2eSize)}; small files ${config.smallFiles} × ${formatSize(config.smallFileSize)}; rss ${formatSize(config.rssSize)}; gzip ${formatSize(config.gzipSize)}; utf16 ${formatSize(config.utf16Size)}; reference engine inputs ≤ ${formatSize(config.referenceMaxSize)}`,
    `engines: reference${engines.wasm !== undefined ? `, ${engines.fastLabel}` : `; ${engines.wasmMissing}`}`,
  ];
  for (const line of header) process.stderr.write(`bench: ${line}\n`);
  const rows: ResultRow[] = [];
  let failure: unknown;
  for (const name of config.suites) {
    const suiteStarted = performance.now();
    try {
      ensureBuildLinks(); // again: a neighbour may have rebuilt dist-bench/ meanwhile
      rows.push(...(await SUITES[name](context)));
      // Saved after every suite, so that a crash (a worker that cannot load) keeps the rest.
      writeFileSync(join(DATA_DIR, "last-run.md"), `${[...header, "", renderTable(rows)].join("\n")}\n`);
    } catch (err) {
      // Print what was measured before the failure, then fail the run.
      failure = err;
      break;
    }
    context.progress(`${name} done in ${((performance.now() - suiteStarted) / 1000).toFixed(0)} s`);
  }
  const seconds = (performance.now() - started) / 1000;
  const text = [
    ...header.map((line) => `- ${line}`),
    `- run time: ${seconds.toFixed(0)} s${failure === undefined ? "" : " (FAILED, see below)"}`,
    "",
    renderTable(rows),
  ].join("\n");
  process.stdout.write(`${text}\n`);
  writeFileSync(join(DATA_DIR, "last-run.json"), `${JSON.stringify({ header, seconds, rows }, null, 2)}\n`);
  writeFileSync(join(DATA_DIR, "last-run.md"), `${text}\n`);
  if (failure !== undefined) throw failure;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
