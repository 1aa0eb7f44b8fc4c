/**
 * `npm run bench:check` (run by .ci/run): measures a few same-run ratios (bench/check-measure.ts)
 * and compares them with bench/thresholds.json; exits 1 with one line per regressed ratio.
 * It needs the wasm engine: without it every wasm ratio fails as "could not be measured".
 *
 * Environment:
 * - LDS_BENCH_THRESHOLDS=path: another thresholds file (to try the plumbing).
 * - LDS_BENCH_SELFTEST_SLOW=1: the reference engine stands in for the wasm engine (in process
 *   and in the CLI), which must make the check fail; the self-test of the check itself.
 * - LDS_BENCH_SELFTEST_UNTUNED=1: the start-up, thread and EVTX-folder ratios (bench/
 *   check-speed.ts) run without the issue 12 changes where a switch can undo them, which must
 *   make each of them fail.
 * - LDS_BENCH_RETRY=0: no second measurement of ratios that read below their minimum (by default
 *   their parts are measured once more and the second value decides, see ratiosToMeasureAgain).
 * - LDS_BENCH_CHECK_PARTS=matcher,e2e,embed,dense,startup,threads,text (default all), LDS_BENCH_CHECK_MATCHER_SIZE
 *   (4m), LDS_BENCH_CHECK_E2E_SIZE (1g), LDS_BENCH_CHECK_TEXT_SIZE (2g, the text thread
 *   ratio and the CLI against cat), LDS_BENCH_CHECK_JSON_SIZE (1g, the CLI against rg),
 *   LDS_BENCH_CHECK_EVTX_FILES (400, the EVTX folder), LDS_BENCH_SAMPLES (9 rounds),
 *   LDS_BENCH_SEED (1).
 */

import { join } from "node:path";
import { parseSize } from "../src/cli/parse-size.js";
import { benchEngines } from "./bench-engines.js";
import { ensureBuildLinks } from "./build-links.js";
import { CHECK_PARTS, type CheckPart, checkPartOf, measureCheckRatios } from "./check-measure.js";
import {
  compareRatios,
  loadThresholds,
  type MeasuredRatio,
  ratiosToMeasureAgain,
  withSecondMeasurement,
} from "./check-ratios.js";
import { measureSpeedRatios, selfTestUntuned } from "./check-speed.js";
import { measureTextRatios } from "./check-text.js";
import { REPO_ROOT } from "./data-store.js";
import { machineInfo } from "./machine-info.js";

/** The committed thresholds. */
export const THRESHOLDS_PATH = join(REPO_ROOT, "bench", "thresholds.json");

function sizeFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const n = parseSize(text);
  if (n === undefined) throw new Error(`${name}: not a size: "${text}"`);
  return n;
}

/** Measures every ratio of `parts` (each part's ratios side by side, in one pass). */
async function measureParts(options: {
  engines: Awaited<ReturnType<typeof benchEngines>>;
  parts: ReadonlySet<CheckPart>;
  rounds: number;
  say: (line: string) => void;
}): Promise<Map<string, MeasuredRatio>> {
  const { engines, parts, rounds, say } = options;
  const measured = await measureCheckRatios({
    engines,
    parts,
    matcherBytes: sizeFromEnv("LDS_BENCH_CHECK_MATCHER_SIZE", 4 * 2 ** 20),
    e2eBytes: sizeFromEnv("LDS_BENCH_CHECK_E2E_SIZE", 2 ** 30),
    seed: Number(process.env.LDS_BENCH_SEED || 1),
    rounds,
    cliTimeoutMs: 30_000,
    progress: say,
  });
  const speed = await measureSpeedRatios(
    {
      evtxFiles: Number(process.env.LDS_BENCH_CHECK_EVTX_FILES || 400),
      textBytes: sizeFromEnv("LDS_BENCH_CHECK_TEXT_SIZE", 2 * 2 ** 30),
      seed: Number(process.env.LDS_BENCH_SEED || 1),
      rounds: Math.max(5, Math.ceil(rounds / 2)),
      engine: engines.cliFastEngine,
      progress: say,
    },
    parts,
  );
  for (const [name, ratio] of speed) measured.set(name, ratio);
  if (parts.has("text")) {
    const text = await measureTextRatios({
      xmlBytes: sizeFromEnv("LDS_BENCH_CHECK_TEXT_SIZE", 2 * 2 ** 30),
      jsonBytes: sizeFromEnv("LDS_BENCH_CHECK_JSON_SIZE", 2 ** 30),
      seed: Number(process.env.LDS_BENCH_SEED || 1),
      rounds: Math.max(5, Math.ceil(rounds / 2)),
      engine: engines.cliFastEngine,
      progress: say,
    });
    for (const [name, ratio] of text) measured.set(name, ratio);
  }
  return measured;
}

async function main(): Promise<number> {
  ensureBuildLinks();
  const started = performance.now();
  const say = (line: string) => process.stderr.write(`bench:check: ${line}\n`);
  const thresholdsPath = process.env.LDS_BENCH_THRESHOLDS || THRESHOLDS_PATH;
  const thresholds = loadThresholds(thresholdsPath);
  const engines = await benchEngines();
  for (const line of machineInfo()) say(line);
  if (engines.selfTestSlow) say("SELF-TEST: the reference engine stands in for the wasm engine; this run must fail");
  if (selfTestUntuned()) say("SELF-TEST: start-up and thread ratios without the issue 12 changes; they must fail");
  if (engines.wasm === undefined) say(`${engines.wasmMissing}: the wasm ratios cannot be measured`);
  const parts = new Set(
    (process.env.LDS_BENCH_CHECK_PARTS || CHECK_PARTS.join(",")).split(",").map((p) => {
      if (!(CHECK_PARTS as readonly string[]).includes(p))
        throw new Error(`LDS_BENCH_CHECK_PARTS: unknown part "${p}"`);
      return p as CheckPart;
    }),
  );
  const rounds = Math.max(3, Number(process.env.LDS_BENCH_SAMPLES || 9));
  const measure = (which: ReadonlySet<CheckPart>) =>
    measureParts({ engines, parts: which, rounds, say: (line) => say(`measuring ${line}`) });
  let measured = await measure(parts);
  // Thresholds of parts not measured in this run are left out (LDS_BENCH_CHECK_PARTS).
  const wanted = Object.fromEntries(Object.entries(thresholds.ratios).filter(([name]) => parts.has(checkPartOf(name))));
  let verdicts = compareRatios(measured, { ratios: wanted });
  const again = process.env.LDS_BENCH_RETRY === "0" ? [] : ratiosToMeasureAgain(verdicts);
  if (again.length > 0) {
    for (const v of verdicts.filter((v) => again.includes(v.name))) say(`below at first: ${v.line}`);
    say(`measuring again, once: ${again.join(", ")} (the second value decides)`);
    const second = await measure(new Set(again.map(checkPartOf)));
    measured = withSecondMeasurement(measured, second, again);
    verdicts = compareRatios(measured, { ratios: wanted });
  }
  for (const v of verdicts)
    say(`${v.ok ? "ok  " : "FAIL"} ${v.line}${again.includes(v.name) ? " (second measurement)" : ""}`);
  const failed = verdicts.filter((v) => !v.ok);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (failed.length > 0) {
    say(
      `FAILED in ${seconds} s: ${failed.length} ratio${failed.length === 1 ? "" : "s"} below ${thresholdsPath}: ${failed.map((v) => v.name).join(", ")}`,
    );
    return 1;
  }
  say(`passed in ${seconds} s (${verdicts.length} ratios, thresholds ${thresholdsPath})`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:check: FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
