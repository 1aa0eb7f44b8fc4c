/**
 * The embedding API (issue 11): createScanner().push in 64 KiB pieces against the CLI's
 * one-thread matcher on realistic XML and JSON in memory, and createPrefilterStream on a file
 * stream against a plain file stream into a null Writable. See bench/embed-measure.ts.
 */

import { textCorpusFile } from "../data-store.js";
import { liveVersusBlocks, prefilterVersusPipe, scannerVersusMatcher } from "../embed-measure.js";
import { formatRatio, hitsChecked, type ResultRow } from "../result-table.js";
import { matcherInputs } from "./matcher-suite.js";
import { RARE_HITS_PER_GB, type Suite } from "./suite-context.js";

const MIB = 2 ** 20;
const IN_MEMORY = 64 * MIB;
const FILE_SIZE = 256 * MIB;

/** The embedding suite. */
export const embedSuite: Suite = async (context) => {
  const { engines, config } = context;
  const rows: ResultRow[] = [];
  const rounds = Math.max(5, config.samples);
  const wasm = engines.wasm;
  if (wasm === undefined) {
    return [{ suite: "embed", case: "all", subject: "createScanner", note: engines.wasmMissing ?? "no wasm engine" }];
  }
  for (const format of ["xml", "flat", "ecs"] as const) {
    context.progress(`embed: createScanner vs matcher, ${format}`);
    const inputs = matcherInputs(format, RARE_HITS_PER_GB, IN_MEMORY, IN_MEMORY, config.seed);
    const c = await scannerVersusMatcher(wasm, inputs.whole, format, inputs.hits, rounds);
    const caseText = `${format} rare, ${(inputs.bytes / MIB).toFixed(0)} MiB in memory`;
    rows.push({
      suite: "embed",
      case: caseText,
      subject: "wasm engine scanStream (CLI, 1 thread)",
      medianMs: c.baselineMs,
      mbps: inputs.bytes / c.baselineMs / 1000,
      note: hitsChecked(inputs.hits),
    });
    rows.push({
      suite: "embed",
      case: caseText,
      subject: "createScanner().push, 64 KiB pieces",
      medianMs: c.subjectMs,
      mbps: inputs.bytes / c.subjectMs / 1000,
      ratios: `${formatRatio(c.ratio)} matcher (target ≥ 0.8×)`,
      note: hitsChecked(inputs.hits),
    });
    context.progress(`embed: createScanner live vs in blocks, ${format}`);
    const live = await liveVersusBlocks(inputs.whole, format, inputs.hits, rounds);
    rows.push({
      suite: "embed",
      case: caseText,
      subject: "createScanner({ live: true }).push, 64 KiB pieces",
      medianMs: live.subjectMs,
      mbps: inputs.bytes / live.subjectMs / 1000,
      ratios: `${formatRatio(live.ratio)} without live (a flush per push)`,
      note: hitsChecked(inputs.hits),
    });
  }
  const file = await textCorpusFile(
    { format: "xml", size: FILE_SIZE, seed: config.seed, hitsPerGb: RARE_HITS_PER_GB },
    "embed",
  );
  context.progress(`embed: createPrefilterStream vs a plain pipe, ${file.path}`);
  const p = await prefilterVersusPipe(file.path, file.hits, rounds);
  const caseText = `xml rare, ${(file.bytes / MIB).toFixed(0)} MiB file (page cache)`;
  rows.push({
    suite: "embed",
    case: caseText,
    subject: "createReadStream → null Writable",
    medianMs: p.baselineMs,
    mbps: file.bytes / p.baselineMs / 1000,
  });
  rows.push({
    suite: "embed",
    case: caseText,
    subject: "createReadStream → createPrefilterStream → null Writable",
    medianMs: p.subjectMs,
    mbps: file.bytes / p.subjectMs / 1000,
    ratios: `${formatRatio(p.ratio)} plain pipe (target ≥ 0.5×)`,
    note: hitsChecked(file.hits),
  });
  return rows;
};
