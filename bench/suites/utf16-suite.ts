/**
 * UTF-16 text logs (Windows PowerShell 5.1's default): the CLI on a UTF-16LE copy of a
 * generated XML corpus, transcoded to UTF-8 block by block in one worker, side by side with the
 * same text in UTF-8 (read by path and sharded), and the peak RSS of the UTF-16 run, which must
 * stay flat whatever the size (the file is never held whole).
 */

import { formatSize } from "../config.js";
import { textCorpusFile, utf16Of } from "../data-store.js";
import { megabytesPerSecond } from "../measure.js";
import { formatRatio, hitsChecked, type ResultRow } from "../result-table.js";
import { cliEngines, timeCli } from "./cli-runs.js";
import { cliPeakRss } from "./e2e-suite.js";
import { RARE_HITS_PER_GB, type Suite } from "./suite-context.js";

/** The utf16 suite. */
export const utf16Suite: Suite = async (context) => {
  const { config } = context;
  const rows: ResultRow[] = [];
  for (const cli of cliEngines(context)) {
    const size = Math.min(config.utf16Size, cli.maxSize);
    const utf8 = await textCorpusFile(
      { format: "xml", size, seed: config.seed, hitsPerGb: RARE_HITS_PER_GB },
      "corpus",
    );
    const utf16 = await utf16Of(utf8);
    const caseText = `xml ${formatSize(utf8.bytes)} of text`;
    const subject = `lsass-dump-scan --engine ${cli.engine}${cli.label === cli.engine ? "" : ` (${cli.label})`}`;
    // Throughput per byte of the same log text (the UTF-16 file is twice as large).
    const rate = (ms: number) => megabytesPerSecond(utf8.bytes, ms);
    const utf8Ms = await timeCli(
      context,
      [utf8.path],
      cli.engine,
      utf8.hits,
      `utf16 cli ${cli.label} ${caseText} UTF-8`,
    );
    const utf16Ms = await timeCli(
      context,
      [utf16.path],
      cli.engine,
      utf16.hits,
      `utf16 cli ${cli.label} ${caseText} UTF-16LE`,
    );
    const rss = await cliPeakRss([utf16.path], cli.engine, utf16.hits, `utf16 cli ${cli.label} UTF-16LE`);
    rows.push({
      suite: "utf16",
      case: `${caseText}, UTF-8`,
      subject,
      medianMs: utf8Ms,
      mbps: rate(utf8Ms),
      note: hitsChecked(utf8.hits),
    });
    rows.push({
      suite: "utf16",
      case: `${caseText}, UTF-16LE with BOM (${formatSize(utf16.fileBytes)} file)`,
      subject,
      medianMs: utf16Ms,
      mbps: rate(utf16Ms),
      ratios: `${formatRatio(utf8Ms / utf16Ms)} the UTF-8 file`,
      note: `${hitsChecked(utf16.hits)}; ${rss.note}`,
    });
  }
  return rows;
};
