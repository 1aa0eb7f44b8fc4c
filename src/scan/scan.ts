/**
 * The searcher: walks the inputs, recognizes each one's format from its content, hands it to
 * an engine, and gathers matches, counters and problems. One bad input never stops the scan:
 * it becomes a {@link ScanProblem} (one line for stderr) and the run goes on.
 */

import { addStats, type Engine, emptyStats, type ScanStats } from "../engine/engine.js";
import { describeError, ScanError } from "../errors.js";
import { detectLogFormat, type LogFormat } from "../formats/log-format.js";
import { Aggregates } from "../report/aggregate.js";
import { expandInputs, type InputItem } from "./inputs.js";

/** One input that could not be read, or was read only in part. */
export interface ScanProblem {
  /** The input as the user would name it (path, `-`, `archive:member`). */
  input: string;
  code: ScanError["code"];
  /** One line, without the input's name. */
  message: string;
}

/** Options of {@link scanInputs}. */
export interface ScanInputsOptions {
  engine: Engine;
  /** Skip detection and read every input as this format (`--input-format`). */
  inputFormat?: LogFormat | undefined;
  /** Standard input, for the `-` argument (defaults to process.stdin). */
  stdin?: NodeJS.ReadableStream | undefined;
  /** Called at once for each problem (the CLI prints it while the scan goes on). */
  onProblem?: ((problem: ScanProblem) => void) | undefined;
  /** Called after each input with what it added (for progress displays). */
  onInputDone?: ((done: InputDone) => void) | undefined;
}

/** What one scanned input contributed. */
export interface InputDone {
  name: string;
  format: LogFormat | undefined;
  stats: ScanStats;
}

/** Everything a scan found. */
export interface ScanResult {
  aggregates: Aggregates;
  stats: ScanStats;
  /** Inputs scanned (files, members, stdin). */
  inputsScanned: number;
  /** Inputs met while walking directories or archives that are not a log format we read. */
  skipped: { name: string; reason: string }[];
  problems: ScanProblem[];
}

function problemOf(input: string, err: unknown): ScanProblem {
  if (err instanceof ScanError) {
    // Messages may already start with the input's name; keep them one line and name it once.
    const prefix = `${input}: `;
    const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return { input: err.input ?? input, code: err.code, message: message.split("\n")[0] ?? message };
  }
  return { input, code: "LDS_E_INPUT_UNREADABLE", message: describeError(err) };
}

/**
 * Scans every input (files, directories, archives, `-`) with one engine and aggregates the
 * matches. Never throws for a bad input: see {@link ScanResult.problems}.
 */
export async function scanInputs(inputs: readonly string[], options: ScanInputsOptions): Promise<ScanResult> {
  const { engine } = options;
  const aggregates = new Aggregates();
  const result: ScanResult = { aggregates, stats: emptyStats(), inputsScanned: 0, skipped: [], problems: [] };
  const onMatch = aggregates.add.bind(aggregates);
  const report = (problem: ScanProblem) => {
    result.problems.push(problem);
    options.onProblem?.(problem);
  };

  for await (const item of expandInputs([...inputs], { stdin: options.stdin })) {
    if (item.kind === "problem") {
      report(problemOf(item.name, item.error));
      continue;
    }
    if (item.kind === "skipped") {
      result.skipped.push({ name: item.name, reason: item.reason });
      continue;
    }
    const format = options.inputFormat ?? detectLogFormat(item.head);
    if (format === undefined) {
      drain(item);
      const reason =
        item.head.length === 0 ? "empty" : "not a Sysmon log format we read (Windows event XML, JSON, EVTX)";
      if (item.explicit) report({ input: item.name, code: "LDS_E_UNKNOWN_FORMAT", message: reason });
      else result.skipped.push({ name: item.name, reason });
      continue;
    }
    let stats: ScanStats;
    try {
      stats =
        item.kind === "file"
          ? await engine.scanFile(item.path, format, onMatch)
          : await engine.scanStream(item.chunks, format, onMatch);
    } catch (err) {
      report(problemOf(item.name, err));
      continue;
    }
    result.inputsScanned++;
    for (const message of stats.problems) report({ input: item.name, code: "LDS_E_CORRUPT_EVTX", message });
    addStats(result.stats, { ...stats, problems: [] });
    options.onInputDone?.({ name: item.name, format, stats });
  }
  return result;
}

/** Lets the input layer move past an item we do not read. */
function drain(item: InputItem): void {
  if (item.kind === "stream") {
    const iterator = item.chunks[Symbol.asyncIterator]();
    void iterator.return?.();
  }
}
