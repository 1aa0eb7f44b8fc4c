/**
 * `lsass-dump-scan deliver`: resends what earlier runs left in the spool (same `alert_id`s) to
 * the destinations given, and exits 0 when nothing is left for them.
 */

import { existsSync } from "node:fs";
import { Command } from "commander";
import { ScanError } from "../errors.js";
import type { OutboxSink, OutboxSummary } from "../sinks/outbox-sink.js";
import { terminalText } from "../sinks/row-format.js";
import {
  addDeliveryOptions,
  type DeliveryOptions,
  deliveryOptionsFrom,
  interruptOnSigint,
  openDeliverySinks,
  reportDelivery,
} from "./delivery-options.js";
import { EXIT_CLEAN, EXIT_TROUBLE } from "./exit-status.js";

const EXAMPLES = `
Examples:
  SPLUNK_HEC_TOKEN=... lsass-dump-scan deliver --hec https://splunk:8088
  lsass-dump-scan deliver --spool /var/spool/lds --webhook https://soar.example/hooks/lsass

Exit status: 0 nothing left to deliver, 2 some alerts are still in the spool or were dead-lettered.`;

/** Runs `deliver` with commander's parsed values; resolves to the exit status. */
export async function runDeliver(raw: Record<string, unknown>): Promise<number> {
  const say = (line: string) => process.stderr.write(`lsass-dump-scan: ${terminalText(line)}\n`);
  const options = deliveryOptionsFrom(raw, say);
  if (options === undefined) throw new ScanError("LDS_E_USAGE", "deliver needs --hec URL or --webhook URL (or both)");
  // A spool named on purpose that is not there is a typo, not "nothing left to send".
  if (typeof raw.spool === "string" && !existsSync(raw.spool))
    throw new ScanError("LDS_E_USAGE", `deliver: --spool ${raw.spool}: no such directory`);
  const interrupt = interruptOnSigint();
  try {
    return await deliverSpool(raw, options, await openDeliverySinks(options, say, interrupt.signal), say);
  } finally {
    interrupt.release();
  }
}

async function deliverSpool(
  raw: Record<string, unknown>,
  options: DeliveryOptions,
  sinks: readonly OutboxSink[],
  say: (line: string) => void,
): Promise<number> {
  let queued = 0;
  let busy = 0;
  for (const sink of sinks) {
    const resumed = await sink.resumeSpool();
    queued += resumed.queued;
    busy += resumed.busy.length;
    for (const path of resumed.busy)
      say(`${path}: another running lsass-dump-scan is delivering it; left alone (its alerts are still in the spool)`);
    for (const { path, lines } of resumed.damaged)
      say(`${path}: ${lines} damaged line${lines === 1 ? "" : "s"} skipped (cut short by a crash while spooling)`);
  }
  const summaries: OutboxSummary[] = [];
  for (const sink of sinks) summaries.push(await sink.close());
  const report = reportDelivery(summaries, options, say);
  if (raw.quiet !== true) {
    const { deadLetterCount } = await import("../sinks/spool.js");
    const earlier = await deadLetterCount(options.spoolDir);
    const tail = earlier > 0 ? `; ${earlier} in ${options.spoolDir}/deadletter.ndjson` : "";
    say(`deliver: ${queued} alert${queued === 1 ? "" : "s"} in the spool, ${report.parts.join("; ")}${tail}`);
  }
  for (const line of report.lines) say(line);
  // A segment another process holds is not delivered by this run: "nothing left" would be false.
  return report.undelivered > 0 || busy > 0 ? EXIT_TROUBLE : EXIT_CLEAN;
}

/** Adds `deliver` to the program; `setStatus` receives its exit status. */
export function registerDeliverCommand(program: Command, setStatus: (status: number) => void): void {
  const command = new Command("deliver")
    .description("resend alerts left in the spool by earlier runs (same alert_id) to Splunk HEC and/or a webhook")
    .option("-q, --quiet", "no summary line on stderr", false)
    .exitOverride();
  addDeliveryOptions(command)
    .addHelpText("after", EXAMPLES)
    .action(async (raw: Record<string, unknown>) => {
      setStatus(await runDeliver(raw));
    });
  program.addCommand(command);
}
