/**
 * End to end: the CLI (a fresh `node` process: startup, worker pool, wasm compile, reading,
 * scanning, printing rows) on one big generated XML file in page cache, against what the
 * machine can do with the same bytes: `cat FILE > /dev/null` (reading, the ceiling) and
 * `rg -c -i lsass FILE` (the fastest grep; it only finds a word, we apply the whole rule).
 * Tools that are not installed are skipped with a note. Peak RSS comes from one more run
 * under GNU `time -v`.
 */

import { formatSize } from "../config.js";
import { textCorpusFile } from "../data-store.js";
import { megabytesPerSecond } from "../measure.js";
import { checkCliRun, cliScanArgs, gnuTime, peakRssFrom, runProcess, which } from "../processes.js";
import { formatRatio, hitsChecked, type ResultRow } from "../result-table.js";
import { cliEngines, timeCli, timeTool } from "./cli-runs.js";
import { RARE_HITS_PER_GB, type Suite } from "./suite-context.js";

/** Peak RSS of one CLI run, or a note saying why it is unknown. */
export async function cliPeakRss(
  inputs: readonly string[],
  engine: string,
  expectedMatches: number,
  label: string,
): Promise<{ bytes?: number; note: string }> {
  const time = gnuTime();
  if (time === undefined) return { note: "peak RSS: GNU time not installed" };
  const result = await runProcess(time, ["-v", process.execPath, ...cliScanArgs(inputs, engine)], {
    discardStdout: true,
  });
  checkCliRun(result, expectedMatches, `${label} (under time -v)`);
  const bytes = peakRssFrom(result.stderr);
  return bytes === undefined
    ? { note: "peak RSS: not in time's output" }
    : { bytes, note: `peak RSS ${formatSize(bytes)}` };
}

/** The end-to-end suite. */
export const e2eSuite: Suite = async (context) => {
  const { config } = context;
  const rows: ResultRow[] = [];
  const rg = which("rg");
  for (const cli of cliEngines(context)) {
    const size = Math.min(config.e2eSize, cli.maxSize);
    const file = await textCorpusFile(
      { format: "xml", size, seed: config.seed, hitsPerGb: RARE_HITS_PER_GB },
      "corpus",
    );
    const caseText = `xml ${formatSize(file.bytes)}, hot cache`;
    const rate = (ms: number) => megabytesPerSecond(file.bytes, ms);
    const catMs = await timeTool(context, "cat", [file.path], `e2e cat ${caseText}`);
    const rgMs =
      rg === undefined
        ? undefined
        : await timeTool(context, rg, ["-c", "-i", "lsass", file.path], `e2e rg ${caseText}`);
    const cliMs = await timeCli(context, [file.path], cli.engine, file.hits, `e2e cli ${cli.label} ${caseText}`);
    const rss = await cliPeakRss([file.path], cli.engine, file.hits, `e2e cli ${cli.label}`);
    context.facts.set(`e2e:${cli.engine}:mbps`, rate(cliMs));
    context.facts.set(`e2e:${cli.engine}:bytes`, file.bytes);
    const ratios = [`${formatRatio(catMs / cliMs)} cat`];
    if (rgMs !== undefined) ratios.push(`${formatRatio(rgMs / cliMs)} rg`);
    rows.push({
      suite: "e2e",
      case: caseText,
      subject: `lsass-dump-scan --engine ${cli.engine}${cli.label === cli.engine ? "" : ` (${cli.label})`}`,
      medianMs: cliMs,
      mbps: rate(cliMs),
      ratios: ratios.join(", "),
      note: `${hitsChecked(file.hits)}; ${rss.note}`,
    });
    rows.push({ suite: "e2e", case: caseText, subject: "cat FILE > /dev/null", medianMs: catMs, mbps: rate(catMs) });
    rows.push(
      rgMs === undefined
        ? { suite: "e2e", case: caseText, subject: "rg -c -i lsass", note: "skipped: rg not installed" }
        : { suite: "e2e", case: caseText, subject: "rg -c -i lsass", medianMs: rgMs, mbps: rate(rgMs) },
    );
  }
  return rows;
};
