/**
 * Many small files against one big one: the CLI on a folder of LDS_BENCH_SMALL_FILES files of
 * LDS_BENCH_SMALL_FILE_SIZE (2,000 of 1 MiB: one corpus cut between records) and on one file
 * of the same kind, in page cache. The pool batches small files into tasks, so the folder
 * should come close to the single file; the ratio says how close.
 */

import { formatSize } from "../config.js";
import { smallFilesDir, textCorpusFile } from "../data-store.js";
import { megabytesPerSecond } from "../measure.js";
import { formatRate, formatRatio, hitsChecked, type ResultRow } from "../result-table.js";
import { cliEngines, timeCli } from "./cli-runs.js";
import { RARE_HITS_PER_GB, type Suite } from "./suite-context.js";

/** The small-files suite. */
export const smallFilesSuite: Suite = async (context) => {
  const { config } = context;
  const rows: ResultRow[] = [];
  for (const cli of cliEngines(context)) {
    const count = Math.max(1, Math.min(config.smallFiles, Math.floor(cli.maxSize / config.smallFileSize)));
    const dir = await smallFilesDir(
      { format: "xml", count, size: config.smallFileSize, seed: config.seed, hitsPerGb: RARE_HITS_PER_GB },
      "small",
    );
    const caseText = `xml, ${dir.files} files of ≤ ${formatSize(config.smallFileSize)} (${formatSize(dir.bytes)})`;
    const dirMs = await timeCli(context, [dir.path], cli.engine, dir.hits, `small-files cli ${cli.label} ${caseText}`);
    const dirRate = megabytesPerSecond(dir.bytes, dirMs);
    // The single file: the end-to-end suite's, when it ran on the same total size; else measured here.
    const singleSize = Math.min(config.e2eSize, cli.maxSize);
    let singleRate = context.facts.get(`e2e:${cli.engine}:mbps`);
    let singleBytes = context.facts.get(`e2e:${cli.engine}:bytes`);
    if (singleRate === undefined) {
      const file = await textCorpusFile(
        { format: "xml", size: singleSize, seed: config.seed, hitsPerGb: RARE_HITS_PER_GB },
        "corpus",
      );
      const ms = await timeCli(context, [file.path], cli.engine, file.hits, `small-files single ${cli.label}`);
      singleRate = megabytesPerSecond(file.bytes, ms);
      singleBytes = file.bytes;
    }
    rows.push({
      suite: "small-files",
      case: caseText,
      subject: `lsass-dump-scan --engine ${cli.engine}${cli.label === cli.engine ? "" : ` (${cli.label})`}`,
      medianMs: dirMs,
      mbps: dirRate,
      ratios: `${formatRatio(dirRate / singleRate)} one ${formatSize(singleBytes ?? singleSize)} file (${formatRate(singleRate)})`,
      note: hitsChecked(dir.hits),
    });
  }
  return rows;
};
