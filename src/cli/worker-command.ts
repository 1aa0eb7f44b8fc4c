/**
 * `lsass-dump-scan worker --cluster redis://...`: runs a cluster worker (src/cluster/) until
 * SIGTERM or Ctrl-C, then finishes the tasks in hand and exits 0.
 */

import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { ScanError } from "../errors.js";
import { terminalText } from "../sinks/row-format.js";

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      throw new ScanError("LDS_E_USAGE", `${flag} wants a whole number of at least 1, got "${value}"`);
    }
    return n;
  };
}

/** Adds `worker` to the program; `setStatus` receives its exit status. */
export function registerWorkerCommand(program: Command, setStatus: (status: number) => void): void {
  program
    .command("worker")
    .description("take scan tasks from a Redis queue (for scan --cluster) and run them on this machine's threads")
    .requiredOption(
      "--cluster <redis-url>",
      "the Redis the coordinator (scan --cluster) uses, e.g. redis://10.0.0.5:6379",
    )
    .option("--concurrency <n>", "tasks at once (default: number of cores)", positiveInt("--concurrency"))
    .option(
      "--lock-ms <ms>",
      "job lock: a killed worker's task is taken up again after this long (default 30000)",
      positiveInt("--lock-ms"),
    )
    .action(async (raw: { cluster: string; concurrency?: number; lockMs?: number }) => {
      const { runClusterWorker } = await import("../cluster/cluster-worker.js");
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      try {
        await runClusterWorker({
          cluster: raw.cluster,
          concurrency: raw.concurrency ?? availableParallelism(),
          lockMs: raw.lockMs,
          signal: stop.signal,
          log: (line) => process.stderr.write(`lsass-dump-scan worker: ${terminalText(line)}\n`),
        });
      } finally {
        process.removeListener("SIGTERM", onSignal);
        process.removeListener("SIGINT", onSignal);
      }
      setStatus(0);
    });
}
