/**
 * Compressed input: the CLI on a .gz of a generated XML corpus (decompressed with node:zlib
 * in a worker, streamed into the matcher) against `gzip -dc FILE.gz > /dev/null`, which only
 * decompresses. Skipped with a note when gzip is not installed.
 */

import { formatSize } from "../config.js";
import { gzipOf, textCorpusFile } from "../data-store.js";
import { megabytesPerSecond } from "../measure.js";
import { which } from "../processes.js";
import { formatRatio, hitsChecked, type ResultRow } from "../result-table.js";
import { cliEngines, timeCli, timeTool } from "./cli-runs.js";
import { RARE_HITS_PER_GB, type Suite } from "./suite-context.js";

/** The gzip suite. */
export const gzipSuite: Suite = async (context) => {
  const { config } = context;
  const rows: ResultRow[] = [];
  const gzip = which("gzip");
  for (const cli of cliEngines(context)) {
    const size = Math.min(config.gzipSize, cli.maxSize);
    const source = await textCorpusFile(
      { format: "xml", size, seed: config.seed, hitsPerGb: RARE_HITS_PER_GB },
      "corpus",
    );
    const gz = await gzipOf(source);
    const caseText = `xml ${formatSize(gz.bytes)} as .gz (${formatSize(gz.compressedBytes)})`;
    // Throughput per byte of log data (uncompressed), for both.
    const rate = (ms: number) => megabytesPerSecond(gz.bytes, ms);
    const gzipMs =
      gzip === undefined ? undefined : await timeTool(context, gzip, ["-dc", gz.path], `gzip -dc ${caseText}`);
    const cliMs = await timeCli(context, [gz.path], cli.engine, gz.hits, `gzip cli ${cli.label} ${caseText}`);
    rows.push({
      suite: "gzip",
      case: caseText,
      subject: `lsass-dump-scan --engine ${cli.engine}${cli.label === cli.engine ? "" : ` (${cli.label})`}`,
      medianMs: cliMs,
      mbps: rate(cliMs),
      ratios: gzipMs === undefined ? undefined : `${formatRatio(gzipMs / cliMs)} gzip -dc`,
      note: hitsChecked(gz.hits),
    });
    rows.push(
      gzipMs === undefined
        ? { suite: "gzip", case: caseText, subject: "gzip -dc > /dev/null", note: "skipped: gzip not installed" }
        : { suite: "gzip", case: caseText, subject: "gzip -dc > /dev/null", medianMs: gzipMs, mbps: rate(gzipMs) },
    );
  }
  return rows;
};
