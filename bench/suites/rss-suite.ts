/**
 * Peak memory on a big input: one CLI run under GNU `time -v` on a generated XML file of
 * LDS_BENCH_RSS_SIZE (10 GiB by default: past wasm's 4 GiB memory and any buffer Node can
 * hold), against the target of 512 MiB peak RSS whatever the input size. The file is made once
 * (after checking the free disk space) and kept in bench/.data. One `cat` first puts it in the
 * page cache when it fits (it does on the 23 GiB dev VM) and tells how hot it was.
 */

import { formatSize } from "../config.js";
import { textCorpusFile } from "../data-store.js";
import { megabytesPerSecond } from "../measure.js";
import { runProcess } from "../processes.js";
import { formatRate, formatRatio, hitsChecked, type ResultRow } from "../result-table.js";
import { cliEngines } from "./cli-runs.js";
import { cliPeakRss } from "./e2e-suite.js";
import { RARE_HITS_PER_GB, type Suite } from "./suite-context.js";

/** Peak RSS the CLI must stay under, whatever the input size (issue 4). */
export const PEAK_RSS_TARGET = 512 * 2 ** 20;

/** The peak-RSS suite. */
export const rssSuite: Suite = async (context) => {
  const { config } = context;
  const rows: ResultRow[] = [];
  for (const cli of cliEngines(context)) {
    const size = Math.min(config.rssSize, cli.maxSize);
    const file = await textCorpusFile(
      { format: "xml", size, seed: config.seed, hitsPerGb: RARE_HITS_PER_GB },
      "corpus",
    );
    const label = `rss cli ${cli.label} xml ${formatSize(file.bytes)}`;
    // Read it once first (timed, to say how hot the cache is): a 10 GiB file made in an earlier
    // run may have been pushed out of the page cache by the other inputs since.
    context.progress(`rss: cat ${file.path} > /dev/null`);
    const catStarted = performance.now();
    const cat = await runProcess("cat", [file.path], { discardStdout: true });
    if (cat.status !== 0) throw new Error(`rss: cat ${file.path}: ${cat.stderr.trim()}`);
    const catMs = performance.now() - catStarted;
    context.progress(label);
    const started = performance.now();
    const rss = await cliPeakRss([file.path], cli.engine, file.hits, label);
    const ms = performance.now() - started;
    const verdict =
      rss.bytes === undefined ? "" : rss.bytes <= PEAK_RSS_TARGET ? " (≤ 512 MiB ✓)" : " (OVER the 512 MiB target ✗)";
    rows.push({
      suite: "rss",
      case: `xml ${formatSize(file.bytes)}, one run`,
      subject: `lsass-dump-scan --engine ${cli.engine}${cli.label === cli.engine ? "" : ` (${cli.label})`}`,
      medianMs: ms,
      mbps: megabytesPerSecond(file.bytes, ms),
      ratios: `${formatRatio(catMs / ms)} cat (its first read: ${formatRate(megabytesPerSecond(file.bytes, catMs))})`,
      note: `${hitsChecked(file.hits)}; ${rss.note}${verdict}`,
    });
  }
  return rows;
};
