/**
 * `lsass-dump-scan generate`: writes a synthetic Sysmon corpus with planted true positives and
 * prints the rows a correct scan of it must give, for benchmarks and end-to-end checks
 * (`generate ... --expected rows.jsonl && scan --format jsonl corpus | diff - rows.jsonl`).
 */

import { statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { ScanError } from "../errors.js";
import type { TextFormat } from "../formats/log-format.js";
import type { CorpusResult } from "../generate/corpus.js";
import type { Row } from "../report/row.js";
import { parseSize } from "./parse-size.js";

/** `--format` names → the generator's format names (`jsonl` is flat NXLog/OTRF JSON lines). */
const FORMAT_NAMES: Record<string, TextFormat> = {
  xml: "xml",
  jsonl: "flat",
  flat: "flat",
  ecs: "ecs",
  evtxdump: "evtxdump",
};

/** Default true positives per GiB: enough rows to check, few enough to stay a needle in a haystack. */
const DEFAULT_HITS_PER_GB = 64;

/** Validated options of the generate command. */
export interface GenerateCommandOptions {
  format: TextFormat;
  size: number;
  out: string;
  seed: number;
  hitsPerGb: number;
  expected: string | undefined;
}

function usage(message: string): ScanError {
  return new ScanError("LDS_E_USAGE", message);
}

/** Turns commander's raw option values into {@link GenerateCommandOptions}; bad usage throws ScanError(LDS_E_USAGE). */
export function generateOptionsFrom(raw: Record<string, unknown>): GenerateCommandOptions {
  const formatName = typeof raw.format === "string" ? raw.format : undefined;
  if (formatName === undefined) throw usage("generate: --format is required (xml, jsonl, ecs or evtxdump)");
  const format = FORMAT_NAMES[formatName.toLowerCase()];
  if (format === undefined) throw usage(`generate: unknown --format '${formatName}' (use xml, jsonl, ecs or evtxdump)`);
  if (typeof raw.size !== "string") throw usage("generate: --size is required (e.g. 64m, 2g)");
  const size = parseSize(raw.size);
  if (size === undefined) throw usage(`generate: bad --size '${raw.size}' (use bytes or 4k, 64m, 2g)`);
  if (typeof raw.out !== "string" || raw.out === "") throw usage("generate: --out FILE is required ('-' for stdout)");
  const seedText = typeof raw.seed === "string" ? raw.seed : "1";
  if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(Number(seedText))) {
    throw usage(`generate: bad --seed '${seedText}' (use a whole number)`);
  }
  const hitsText = typeof raw.hitsPerGb === "string" ? raw.hitsPerGb : String(DEFAULT_HITS_PER_GB);
  const hitsPerGb = Number(hitsText);
  if (!/^\d+(\.\d+)?$/.test(hitsText) || !Number.isFinite(hitsPerGb)) {
    throw usage(`generate: bad --hits-per-gb '${hitsText}' (use a number ≥ 0)`);
  }
  const expected = typeof raw.expected === "string" && raw.expected !== "" ? raw.expected : undefined;
  if (raw.out === "-" && (expected === undefined || expected === "-")) {
    throw usage("generate: with --out - the corpus goes to stdout, so name a file for the rows with --expected");
  }
  // The rows written over the corpus (or the corpus over the rows) would leave neither usable.
  if (expected !== undefined && expected !== "-" && raw.out !== "-" && sameFile(raw.out, expected)) {
    throw usage(`generate: --expected ${expected} is the --out file; name another file for the rows`);
  }
  return { format, size, out: raw.out, seed: Number(seedText), hitsPerGb, expected };
}

/** True when `a` and `b` name one file: the same path, or an existing file under both names. */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** Rows as JSON lines, the `--format jsonl` of the scan command. */
export function rowsAsJsonLines(rows: readonly Row[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join("");
}

/** Runs the command: writes the corpus, then the expected rows; a one-line summary goes to stderr. */
export async function runGenerate(options: GenerateCommandOptions): Promise<void> {
  const started = performance.now();
  const out = options.out === "-" ? process.stdout : options.out;
  let result: CorpusResult;
  try {
    // Loaded here: a scan never needs the generator (start-up).
    const { generateCorpus } = await import("../generate/corpus.js");
    result = await generateCorpus({ ...options, out });
  } catch (err) {
    if (err instanceof ScanError) throw err;
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ScanError("LDS_E_SINK", `generate: cannot write ${options.out}: ${reason}`, options.out, { cause: err });
  }
  const lines = rowsAsJsonLines(result.rows);
  if (options.expected === undefined || options.expected === "-") process.stdout.write(lines);
  else writeFileSync(options.expected, lines);
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `generate: ${result.bytes} bytes, ${result.events} events, ${result.hits} true positives in ${result.rows.length} rows, ` +
      `${seconds.toFixed(1)} s (${(result.bytes / 2 ** 20 / Math.max(seconds, 1e-3)).toFixed(0)} MiB/s)\n`,
  );
}

/** Adds `generate` to the program. */
export function registerGenerateCommand(program: Command): Command {
  return program
    .command("generate")
    .description("write a synthetic Sysmon corpus with planted true positives, and the rows a scan of it must print")
    .option("--format <format>", "xml | jsonl | ecs | evtxdump")
    .option("--size <size>", "approximate size: bytes, or 4k, 64m, 2g (binary units)")
    .option("--out <file>", "where to write the corpus ('-' for stdout)")
    .option("--seed <n>", "seed; the same options give the same bytes", "1")
    .option("--hits-per-gb <n>", "true positives per GiB, on average", String(DEFAULT_HITS_PER_GB))
    .option("--expected <file>", "write the expected rows (JSON lines) here instead of stdout ('-' for stdout)")
    .action(async (raw: Record<string, unknown>) => {
      await runGenerate(generateOptionsFrom(raw));
    });
}
