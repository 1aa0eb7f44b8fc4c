/**
 * A zip on standard input (`cat x.zip | lsass-dump-scan scan -`, issue 17): a zip's directory is
 * at its end, so the scanner must not hold it; it spills it to a temporary file and reads it from
 * there. One CLI run under GNU `time -v` with the zip piped in by `cat`, against the target of
 * 200 MiB peak RSS for a 2 GiB zip (LDS_BENCH_STDIN_ZIP_SIZE). The zip is Info-ZIP's `zip -0`
 * (stored) of a generated XML file, so that the zip itself is that large; it is made once and
 * kept in bench/.data. Skipped with a note when `zip` or GNU time is not installed.
 */

import { existsSync, renameSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { formatSize } from "../config.js";
import { ensureFreeSpace, textCorpusFile } from "../data-store.js";
import { megabytesPerSecond } from "../measure.js";
import { checkCliRun, cliScanArgs, gnuTime, peakRssFrom, runProcess, which } from "../processes.js";
import { hitsChecked, type ResultRow } from "../result-table.js";
import { RARE_HITS_PER_GB, type Suite } from "./suite-context.js";

/** Peak RSS the CLI must stay under while a 2 GiB zip comes on stdin (issue 17). */
export const STDIN_ZIP_RSS_TARGET = 200 * 2 ** 20;

/** The stdin-zip suite. */
export const stdinZipSuite: Suite = async (context) => {
  const { config } = context;
  const zip = which("zip");
  const time = gnuTime();
  const caseText = `zip ${formatSize(config.stdinZipSize)} (stored) on stdin`;
  if (zip === undefined || time === undefined) {
    const missing = zip === undefined ? "zip (apt-get install zip)" : "GNU time (apt-get install time)";
    return [
      { suite: "stdin-zip", case: caseText, subject: "lsass-dump-scan -", note: `skipped: ${missing} not installed` },
    ];
  }
  const source = await textCorpusFile(
    { format: "xml", size: config.stdinZipSize, seed: config.seed, hitsPerGb: RARE_HITS_PER_GB },
    "corpus",
  );
  const zipPath = `${source.path}.stored.zip`;
  if (!existsSync(zipPath) || statSync(zipPath).mtimeMs < statSync(source.path).mtimeMs) {
    ensureFreeSpace(source.bytes, `the zip of ${source.path}`);
    context.progress(`stdin-zip: zip -0 ${zipPath}`);
    const made = await runProcess(zip, ["-0", "-j", "-q", `${zipPath}.partial.zip`, source.path], {
      discardStdout: true,
    });
    if (made.status !== 0) throw new Error(`stdin-zip: zip failed: ${made.stderr.trim()}`);
    renameSync(`${zipPath}.partial.zip`, zipPath);
  }
  const zipBytes = statSync(zipPath).size;
  const rows: ResultRow[] = [];
  for (const engine of ["wasm"]) {
    const label = `stdin-zip cli ${engine} ${formatSize(zipBytes)}`;
    context.progress(label);
    // `cat` into a pipe, so the scanner sees what a user's pipe gives it (no file to seek in).
    const command = `cat '${basename(zipPath)}' | '${time}' -v '${process.execPath}' ${cliScanArgs(["-"], engine)
      .map((a) => `'${a}'`)
      .join(" ")}`;
    const started = performance.now();
    const result = await runProcess("sh", ["-c", `cd '${dirname(zipPath)}' && ${command}`], { discardStdout: true });
    const ms = performance.now() - started;
    checkCliRun(result, source.hits, label);
    const rss = peakRssFrom(result.stderr);
    const verdict =
      rss === undefined ? "" : rss <= STDIN_ZIP_RSS_TARGET ? " (≤ 200 MiB ✓)" : " (OVER the 200 MiB target ✗)";
    rows.push({
      suite: "stdin-zip",
      case: `zip ${formatSize(zipBytes)} (stored xml) piped by cat, one run`,
      subject: `lsass-dump-scan - --engine ${engine}`,
      medianMs: ms,
      mbps: megabytesPerSecond(source.bytes, ms),
      note: `${hitsChecked(source.hits)}; peak RSS ${rss === undefined ? "unknown" : formatSize(rss)}${verdict}`,
    });
  }
  return rows;
};
