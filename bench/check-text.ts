/**
 * bench:check's end-to-end text ratios (issue 12's text targets), the bundled CLI with default
 * options (every core, `--format jsonl` to /dev/null) against the tools a user compares it with,
 * new processes timed side by side in interleaved rounds, files in page cache:
 *
 * - text.xml.cli_vs_cat: a 2 GiB XML file, against `cat FILE > /dev/null` (target 0.55);
 * - text.ecs.cli_vs_rg, text.flat.cli_vs_rg: 1 GiB of Winlogbeat ECS JSON and of flat (NXLog)
 *   JSON lines, against `rg -c -i lsass FILE` (target 1.5: ripgrep counting the anchor
 *   alone, no rule, no fields).
 *
 * ripgrep is Debian's `ripgrep` (.ci/run installs it); without it the rg ratios are reported as
 * not measured, which fails the check with the package's name.
 */

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { TextFormat } from "../src/formats/log-format.js";
import type { MeasuredRatio } from "./check-ratios.js";
import { BUNDLED_CLI, bundledCliVersus } from "./check-speed.js";
import { type DataFile, textCorpusFile } from "./data-store.js";

/** What the text ratios need. */
export interface TextCheckOptions {
  /** Size of the XML file (default 2 GiB). */
  xmlBytes: number;
  /** Size of each JSON file (default 1 GiB). */
  jsonBytes: number;
  seed: number;
  rounds: number;
  /** The CLI's engine (`reference` in the LDS_BENCH_SELFTEST_SLOW self-test). */
  engine: "wasm" | "reference";
  progress(line: string): void;
}

/** Hits planted per GiB: the "rare" density of the other end-to-end ratios. */
const HITS_PER_GB = 64;

/** Measures the three text ratios. */
export async function measureTextRatios(options: TextCheckOptions): Promise<Map<string, MeasuredRatio>> {
  const ratios = new Map<string, MeasuredRatio>();
  if (!existsSync(BUNDLED_CLI)) {
    const missing = `${BUNDLED_CLI} is missing: run npm run build`;
    for (const name of ["text.xml.cli_vs_cat", "text.ecs.cli_vs_rg", "text.flat.cli_vs_rg"])
      ratios.set(name, { missing });
    return ratios;
  }
  const xml = await corpus(options, "xml", options.xmlBytes);
  options.progress(`text: cat and the CLI on ${xml.path}`);
  ratios.set("text.xml.cli_vs_cat", await versus(options, xml, "cat", ["cat", [xml.path]]));
  const rg = ripgrepMissing();
  for (const format of ["ecs", "flat"] as const) {
    const name = `text.${format}.cli_vs_rg`;
    if (rg !== undefined) {
      ratios.set(name, { missing: rg });
      continue;
    }
    const file = await corpus(options, format, options.jsonBytes);
    options.progress(`text: rg -c -i lsass and the CLI on ${file.path}`);
    ratios.set(name, await versus(options, file, "rg", ["rg", ["-c", "-i", "lsass", file.path]]));
  }
  return ratios;
}

function corpus(options: TextCheckOptions, format: TextFormat, size: number): Promise<DataFile> {
  return textCorpusFile({ format, size, seed: options.seed, hitsPerGb: HITS_PER_GB }, "text");
}

/** Why rg cannot run, or undefined when it can. */
function ripgrepMissing(): string | undefined {
  const probe = spawnSync("rg", ["--version"], { stdio: "ignore" });
  return probe.error === undefined && probe.status === 0
    ? undefined
    : "rg (ripgrep) is not installed: apt-get install ripgrep";
}

/** The CLI against `command` on `file` (rg exits 1 when nothing matched, which here would be wrong too). */
function versus(
  options: TextCheckOptions,
  file: DataFile,
  name: string,
  command: [string, string[]],
): Promise<MeasuredRatio> {
  const label = `${(file.bytes / 2 ** 20).toFixed(0)} MiB`;
  return bundledCliVersus(options, { path: file.path, hits: file.hits, bytes: file.bytes, label }, name, command);
}
