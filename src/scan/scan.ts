/**
 * The searcher, one thread: walks the inputs, recognizes each one's format from its content,
 * hands it to an engine, and gathers matches, counters and problems. One bad input never
 * stops the scan: it becomes a {@link ScanProblem} (one line for stderr) and the run goes on.
 * The parallel searcher (parallel-scan.ts) gives the same result with a worker pool.
 */

import { type Engine, emptyStats, type ScanStats } from "../engine/engine.js";
import type { LogFormat } from "../formats/log-format.js";
import { Aggregates } from "../report/aggregate.js";
import { expandInputs } from "./inputs.js";
import type { MalformedInput } from "./malformed.js";
import { type ItemCollector, type ScanProblem, type ScanWarning, scanItem } from "./scan-item.js";

export type { MalformedInput } from "./malformed.js";
export type { ScanProblem, ScanWarning } from "./scan-item.js";

/** Options of {@link scanInputs}. */
export interface ScanInputsOptions {
  engine: Engine;
  /** Skip detection and read every input as this format (`--input-format`). */
  inputFormat?: LogFormat | undefined;
  /** Standard input, for the `-` argument (defaults to process.stdin). */
  stdin?: NodeJS.ReadableStream | undefined;
  /** Called at once for each problem (the CLI prints it while the scan goes on). */
  onProblem?: ((problem: ScanProblem) => void) | undefined;
  /** Called at once for each warning. */
  onWarning?: ((warning: ScanWarning) => void) | undefined;
}

/**
 * Everything a scan found.
 *
 * @example
 * ```ts
 * const result: ScanResult = await scanInputs(["logs/"], { engine: referenceEngine });
 * console.log(result.stats.matches, result.problems.length);
 * ```
 */
export interface ScanResult {
  aggregates: Aggregates;
  stats: ScanStats;
  /** Inputs scanned (files, members, stdin). */
  inputsScanned: number;
  /** Inputs met while walking directories or archives that are not a log format we read. */
  skipped: { name: string; reason: string }[];
  /** Malformed records skipped, per input (only inputs that had some), in the order met. */
  malformed: MalformedInput[];
  problems: ScanProblem[];
  /** Inputs read in full that are not quite well-formed (see {@link ScanWarning}); the exit status ignores them. */
  warnings: ScanWarning[];
}

/**
 * A fresh result that also collects items (see scan-item.ts). A problem identical to one already
 * recorded (same input, code and message: two shards that both read the byte range that failed
 * past a shard's edge) is recorded once.
 */
export function newScanResult(
  onProblem?: (problem: ScanProblem) => void,
  onWarning?: (warning: ScanWarning) => void,
): ScanResult & ItemCollector {
  const seen = new Set<string>();
  const result: ScanResult & ItemCollector = {
    aggregates: new Aggregates(),
    stats: emptyStats(),
    inputsScanned: 0,
    skipped: [],
    malformed: [],
    problems: [],
    warnings: [],
    problem(p) {
      const key = JSON.stringify([p.input, p.code, p.message]);
      if (seen.has(key)) return;
      seen.add(key);
      result.problems.push(p);
      onProblem?.(p);
    },
    warning(w) {
      result.warnings.push(w);
      onWarning?.(w);
    },
  };
  return result;
}

/**
 * Scans every input (files, directories, archives, `-`) with one engine on this thread and
 * aggregates the matches. Never throws for a bad input: see {@link ScanResult.problems}.
 *
 * @example
 * ```ts
 * const result = await scanInputs(["sysmon.xml"], { engine: await engineByName("wasm") });
 * ```
 */
export async function scanInputs(inputs: readonly string[], options: ScanInputsOptions): Promise<ScanResult> {
  const result = newScanResult(options.onProblem, options.onWarning);
  for await (const item of expandInputs([...inputs], { stdin: options.stdin })) {
    await scanItem(item, options.engine, options.inputFormat, result);
  }
  noteNothingScanned(inputs, result);
  return result;
}

/**
 * A scan that read no log at all (an empty folder, a folder of CSV exports, only junk) must
 * never look clean: it becomes a problem (`LDS_E_NOTHING_SCANNED`), so the exit status is 2.
 * When inputs already failed, their problems say why and the status is 2 already: no second line.
 */
export function noteNothingScanned(inputs: readonly string[], result: ScanResult & ItemCollector): void {
  if (result.inputsScanned > 0 || result.problems.length > 0) return;
  const skipped = result.skipped.length;
  const why =
    skipped > 0
      ? `no input is a log format we read (${skipped} file${skipped === 1 ? "" : "s"} skipped, --verbose says why)`
      : "no log file found";
  result.problem({ input: inputs.join(", "), code: "LDS_E_NOTHING_SCANNED", message: `nothing was scanned: ${why}` });
}
