/**
 * The live progress bar on stderr (cli-progress): bytes done of total, throughput, ETA, inputs
 * done and alerts so far. Shown only when stderr is a terminal and `--no-progress` is not given.
 */

import { SingleBar } from "cli-progress";
import type { ScanProgress } from "../pool/parallel-scan.js";

/** A progress display the scan can update; `stop()` clears it before the summary prints. */
export interface ProgressDisplay {
  update(progress: ScanProgress): void;
  /** Prints a message line above the bar (the bar is redrawn on its next update). */
  log(line: string): void;
  stop(): void;
}

function gb(n: number): string {
  return (n / 1e9).toFixed(2);
}

/** A bar on a TTY stderr, or a display that does nothing. */
export function progressDisplay(enabled: boolean): ProgressDisplay {
  if (!enabled || !process.stderr.isTTY) {
    return { update() {}, log: (line) => process.stderr.write(`${line}\n`), stop() {} };
  }
  const started = Date.now();
  const bar = new SingleBar({
    stream: process.stderr,
    format:
      " {bar} {percentage}% | {doneGb}/{totalGb} GB | {rate} GB/s | ETA {eta_formatted} | {inputs} inputs | {matches} events matched",
    hideCursor: true,
    clearOnComplete: true,
    barsize: 24,
    etaBuffer: 20,
    fps: 5,
  });
  let startedBar = false;
  return {
    update(p) {
      const seconds = (Date.now() - started) / 1000;
      const payload = {
        doneGb: gb(p.bytesDone),
        totalGb: gb(p.bytesTotal) + (p.planned ? "" : "+"),
        rate: seconds > 0 ? gb(p.bytesDone / seconds) : "0.00",
        inputs: p.inputsDone,
        matches: p.matches,
      };
      if (!startedBar) {
        bar.start(Math.max(1, p.bytesTotal), p.bytesDone, payload);
        startedBar = true;
      } else {
        bar.setTotal(Math.max(1, p.bytesTotal));
        bar.update(p.bytesDone, payload);
      }
    },
    log(line) {
      process.stderr.write(startedBar ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
    stop() {
      if (startedBar) bar.stop();
      startedBar = false;
    },
  };
}
