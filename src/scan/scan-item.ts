/**
 * Scanning one input item (a file, stdin, an archive member) and recording what came of it:
 * shared by the sequential searcher and the worker threads, so both treat unknown formats,
 * empty files and failing inputs the same way.
 */

import { addStats, type Engine, type MatchHandler, type ScanStats } from "../engine/engine.js";
import { hitOf, type InputHit } from "../engine/hit.js";
import { describeError, ScanError } from "../errors.js";
import { detectLogFormat, forcedFormatMismatch, type LogFormat } from "../formats/log-format.js";
import type { Aggregates } from "../report/aggregate.js";
import { plannedLocation } from "../source/byte-source.js";
import { unsupportedCompressionOf } from "./archive-kind.js";
import type { InputItem } from "./inputs.js";
import { addMalformed, type MalformedInput } from "./malformed.js";
import { whyNotALog } from "./not-a-log.js";

/**
 * One input that could not be read, or was read only in part.
 *
 * @example
 * ```ts
 * await scan(["logs/"], { onProblem: (p: ScanProblem) => console.error(p.input + ": " + p.message, p.code) });
 * ```
 */
export interface ScanProblem {
  /** The input as the user would name it (path, `-`, `archive:member`). */
  input: string;
  code: ScanError["code"];
  /** One line, without the input's name. */
  message: string;
}

/**
 * A note on an input that was read in full but is not quite what its format says (a zip with
 * bytes after its end record, a gzip with trailing garbage): shown on stderr and counted, but it
 * does not change the exit status, since nothing was missed.
 *
 * @example
 * ```ts
 * const { result } = await scan(["mordor.zip"], { onWarning: (w: ScanWarning) => console.warn(w.input, w.message) });
 * // result.warnings: [{ input: "mordor.zip", message: "1 byte after the zip's end record ignored (every member was read)" }]
 * ```
 */
export interface ScanWarning {
  /** The input as the user would name it. */
  input: string;
  /** One line, without the input's name. */
  message: string;
}

/** Where the outcome of scanning items goes. */
export interface ItemCollector {
  aggregates: Aggregates;
  stats: ScanStats;
  inputsScanned: number;
  skipped: { name: string; reason: string }[];
  /** Malformed records skipped, per input. */
  malformed: MalformedInput[];
  /** Called once per problem. */
  problem(problem: ScanProblem): void;
  /** Called once per warning. */
  warning(warning: ScanWarning): void;
  /** When set, every matched event is also kept here with its input (scan()'s onHit). */
  hits?: InputHit[] | undefined;
}

/**
 * The MatchHandler for one input: adds to the aggregates and, when the collector keeps hits,
 * records the hit with the input's name (archive members are split off by the caller, who knows
 * the archive's name).
 */
export function matchHandlerFor(into: ItemCollector, input: string): MatchHandler {
  const add = into.aggregates.add.bind(into.aggregates);
  const hits = into.hits;
  if (hits === undefined) return add;
  return (event, at) => {
    add(event);
    hits.push({ ...hitOf(event, at ?? { offset: 0, length: 0 }), input });
  };
}

/**
 * Splits an item name `archive:member` into the archive's name and the member, when the item
 * is inside the archive called `archiveName` (read from `archivePath`); other hits unchanged.
 */
export function splitArchiveMember(hit: InputHit, archiveName: string, archivePath: string = archiveName): InputHit {
  const prefix = `${archivePath}:`;
  if (hit.input.startsWith(prefix)) return { ...hit, input: archiveName, member: hit.input.slice(prefix.length) };
  if (hit.input === archivePath) return { ...hit, input: archiveName };
  return hit;
}

/** Turns anything thrown while reading `input` into a one-line problem. */
export function problemOf(input: string, err: unknown): ScanProblem {
  if (err instanceof ScanError) {
    const prefix = `${input}: `;
    const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return { input: err.input ?? input, code: err.code, message: message.split("\n")[0] ?? message };
  }
  return { input, code: "LDS_E_INPUT_UNREADABLE", message: describeError(err) };
}

/** Why an item of unknown format is not read: a compression we do not read, or {@link whyNotALog}. */
function unknownReason(head: Uint8Array): { code: ScanError["code"]; reason: string } {
  const compression = head.length > 0 ? unsupportedCompressionOf(head) : undefined;
  if (compression !== undefined)
    return { code: "LDS_E_UNSUPPORTED", reason: `${compression}-compressed: not supported` };
  return { code: "LDS_E_UNKNOWN_FORMAT", reason: whyNotALog(head) };
}

/**
 * Scans one item with `engine` and records the outcome. Never throws for a bad input.
 * Unrecognized items are problems when the user named them, else skipped and counted.
 */
export async function scanItem(
  item: InputItem,
  engine: Engine,
  inputFormat: LogFormat | undefined,
  into: ItemCollector,
): Promise<void> {
  if (item.kind === "problem") {
    into.problem(problemOf(item.name, item.error));
    return;
  }
  if (item.kind === "skipped") {
    into.skipped.push({ name: item.name, reason: item.reason });
    return;
  }
  if (item.kind === "warning") {
    into.warning({ input: item.name, message: item.message });
    return;
  }
  const mismatch = inputFormat === undefined ? undefined : forcedFormatMismatch(inputFormat, item.head);
  if (mismatch !== undefined) {
    if (item.kind === "stream") await item.chunks[Symbol.asyncIterator]().return?.();
    into.problem({ input: item.name, code: "LDS_E_UNKNOWN_FORMAT", message: mismatch });
    return;
  }
  const format = inputFormat ?? detectLogFormat(item.head);
  if (format === undefined) {
    if (item.kind === "stream") await item.chunks[Symbol.asyncIterator]().return?.();
    const { code, reason } = unknownReason(item.head);
    if (item.explicit) into.problem({ input: item.name, code, message: reason });
    else into.skipped.push({ name: item.name, reason });
    return;
  }
  const onMatch = matchHandlerFor(into, item.name);
  let stats: ScanStats;
  try {
    stats =
      item.kind === "file"
        ? await engine.scanFile(plannedLocation(item), format, onMatch)
        : await engine.scanStream(item.chunks, format, onMatch);
  } catch (err) {
    into.problem(problemOf(item.name, err));
    return;
  }
  into.inputsScanned++;
  recordStats(item.name, stats, into);
}

/**
 * Adds an engine's counters, reports the damage it found (each one line naming the input) and
 * counts its malformed records against the input.
 */
export function recordStats(name: string, stats: ScanStats, into: ItemCollector): void {
  for (const message of stats.problems) into.problem({ input: name, code: "LDS_E_DAMAGED_INPUT", message });
  addMalformed(into.malformed, name, stats.malformedRecords, stats.malformedOffsets);
  addStats(into.stats, { ...stats, problems: [], malformedOffsets: [] });
}
