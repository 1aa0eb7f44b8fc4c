/**
 * `scan --events`: the timeline text (sinks/event-format.ts) to stdout or `--output`, with the
 * suppression list applied to each event's row fields. As with rows, a failed `--output` file
 * is reported and the text goes to stdout instead, so no event is lost.
 */

import { writeFile } from "node:fs/promises";
import type { InputHit } from "../engine/hit.js";
import { describeError } from "../errors.js";
import { type Row, toRow } from "../report/row.js";
import { isSuppressed, type Suppression } from "../report/suppress.js";
import { RULE } from "../rule/rule.js";
import { formatEvents } from "../sinks/event-format.js";
import type { RowFormat } from "../sinks/row-format.js";
import { writeToStream } from "../sinks/stdout-sink.js";

/** The row fields of one event, for the suppression list. */
function eventRow(hit: InputHit): Row {
  return toRow({
    dest: hit.dest,
    objectCategory: RULE.objectCategory,
    processName: hit.processName,
    targetFilename: hit.targetFilename,
    carved: hit.carved === true,
    count: 1,
    first: hit.time,
    last: hit.time,
  });
}

/**
 * Writes the events not suppressed; returns how many were shown, or undefined when the output
 * failed (`say` has told why; the text went to stdout instead when `output` was a file).
 */
export async function deliverEvents(
  hits: readonly InputHit[],
  suppression: Suppression | undefined,
  format: RowFormat,
  output: string | undefined,
  say: (line: string) => void,
): Promise<number | undefined> {
  const shown = suppression === undefined ? hits : hits.filter((h) => !isSuppressed(eventRow(h), suppression));
  const text = formatEvents(shown, format, output === undefined && process.stdout.isTTY === true);
  try {
    if (output === undefined) await writeToStream(process.stdout, text);
    else await writeFile(output, text);
    return shown.length;
  } catch (err) {
    say(`${output ?? "stdout"}: cannot write output: ${describeError(err)}`);
    if (output !== undefined) await writeToStream(process.stdout, text).catch(() => {});
    return undefined;
  }
}
