/**
 * The CLI side of `scan --follow`: its options (`--state`, `--throttle`, `--poll-interval`),
 * signals (Ctrl-C and SIGTERM stop it cleanly), the summary on stderr and the exit status.
 * The following itself is src/follow/.
 */

import { ScanError } from "../errors.js";
import { followSummary, runFollow } from "../follow/index.js";
import { terminalText } from "../sinks/row-format.js";
import { type DeliveryOptions, openDeliverySinks, reportDelivery } from "./delivery-options.js";
import { EXIT_CLEAN, EXIT_TROUBLE } from "./exit-status.js";

/** Options of follow mode after validation. */
export interface FollowCommandOptions {
  state?: string | undefined;
  throttleMs: number;
  pollMs: number;
  quiet: boolean;
  delivery?: DeliveryOptions | undefined;
}

/** Follows the inputs until Ctrl-C or SIGTERM; returns the exit status (0, or 2 after trouble). */
export async function runFollowCommand(inputs: readonly string[], options: FollowCommandOptions): Promise<number> {
  const say = (line: string) => process.stderr.write(`lsass-dump-scan: ${terminalText(line)}\n`);
  if (inputs.includes("-") || inputs.some((i) => /^(https?|s3):\/\//i.test(i)))
    throw new ScanError("LDS_E_USAGE", "--follow follows files and folders (not -, URLs or s3://)");
  // A follower lives long: a destination down for longer than --deliver-timeout pauses the
  // sink and is tried again, rather than stopping it until the process ends.
  const delivery = options.delivery;
  const sinks =
    delivery === undefined
      ? []
      : await openDeliverySinks(delivery, say, undefined, Math.min(30_000, Math.max(1_000, delivery.deliverTimeoutMs)));
  // What an earlier run (killed, or stopped while a destination was down) left is sent first.
  for (const sink of sinks) {
    const resumed = await sink.resumeSpool();
    if (resumed.queued > 0)
      say(
        `${sink.name}: ${resumed.queued} alert${resumed.queued === 1 ? "" : "s"} left in the spool by an earlier run; sending them`,
      );
    for (const path of resumed.busy) say(`${path}: another running lsass-dump-scan is delivering it; left alone`);
    for (const { path, lines } of resumed.damaged)
      say(`${path}: ${lines} damaged line${lines === 1 ? "" : "s"} skipped (cut short by a crash while spooling)`);
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const started = process.hrtime.bigint();
  try {
    const outcome = await runFollow({
      inputs,
      statePath: options.state,
      throttleMs: options.throttleMs,
      pollMs: options.pollMs,
      sinks,
      exclude: options.delivery === undefined ? [] : [options.delivery.spoolDir],
      signal: abort.signal,
      say,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const report = delivery === undefined ? undefined : reportDelivery(outcome.summaries, delivery, say);
    if (!options.quiet) {
      const extra = report === undefined ? "" : `, ${report.parts.join(", ")}`;
      say(`${followSummary(outcome, seconds)}${extra}`);
    }
    for (const line of report?.lines ?? []) say(line);
    const trouble =
      outcome.problems > 0 || outcome.unreadable > 0 || outcome.lost > 0 || (report?.undelivered ?? 0) > 0;
    return trouble ? EXIT_TROUBLE : EXIT_CLEAN;
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
}
