/**
 * The delivery defaults the command line's help shows (`--spool`, `--deliver-batch`): a module of
 * their own, without the sinks' code, so that a run that sends no alert (and `--help`) does not
 * load the outbox, the spool and their retries at start-up.
 */

import { homedir } from "node:os";
import { join } from "node:path";

/** Default batch: 100 alerts (an alert is about 1 kB as a HEC event). */
export const DEFAULT_BATCH_ALERTS = 100;

/**
 * `$XDG_STATE_HOME/lsass-dump-scan/spool`, else `~/.local/state/lsass-dump-scan/spool`.
 *
 * @example
 * ```ts
 * const sink = webhookSink({ url }, { spoolDir: defaultSpoolDir(), deliverTimeoutMs: 60_000 });
 * ```
 */
export function defaultSpoolDir(env: NodeJS.ProcessEnv = process.env): string {
  const state =
    env.XDG_STATE_HOME && env.XDG_STATE_HOME.length > 0 ? env.XDG_STATE_HOME : join(homedir(), ".local", "state");
  return join(state, "lsass-dump-scan", "spool");
}
