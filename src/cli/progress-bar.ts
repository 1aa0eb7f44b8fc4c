/**
 * The live progress bar on stderr (cli-progress): bytes done of total, throughput, ETA, inputs
 * done and events so far. Shown only when stderr is a terminal and `--no-progress` is not given.
 * It says only what it knows: archives count compressed bytes (and say so), standard input
 * shows bytes read and a rate (its size is unknown), and there is no ETA before any progress.
 * cli-progress is loaded only when the bar is shown (start-up of piped and CI runs).
 */

import type { Params } from "cli-progress";
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

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${Math.round(seconds % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}

/**
 * The text after the bar, for progress `p` after `seconds`: bytes of the planned files (with
 * "compressed" when archives count their compressed size), rate, ETA once something is done,
 * standard input's bytes read, inputs and events. Pure, for the tests.
 */
export function progressText(p: ScanProgress, seconds: number): string {
  const parts: string[] = [];
  const bytes = p.bytesDone + p.streamBytes;
  if (p.bytesTotal > 0) {
    const percent = Math.floor((100 * p.bytesDone) / p.bytesTotal);
    const total = gb(p.bytesTotal) + (p.planned ? "" : "+");
    parts.push(`${percent}% | ${gb(p.bytesDone)}/${total} GB${p.compressed ? " (archives: compressed)" : ""}`);
  }
  if (p.streamBytes > 0) parts.push(`${mb(p.streamBytes)} MB read from standard input`);
  parts.push(seconds > 0 ? `${mb(bytes / seconds)} MB/s` : "-- MB/s");
  if (p.bytesTotal > 0 && p.planned && p.bytesDone > 0 && p.bytesDone < p.bytesTotal) {
    parts.push(`ETA ${duration((seconds * (p.bytesTotal - p.bytesDone)) / p.bytesDone)}`);
  }
  parts.push(plural(p.inputsDone, "input"), `${plural(p.matches, "event")} matched`);
  return parts.join(" | ");
}

/** A bar on a TTY stderr, or a display that does nothing. */
export async function progressDisplay(enabled: boolean): Promise<ProgressDisplay> {
  if (!enabled || !process.stderr.isTTY) {
    return { update() {}, log: (line) => process.stderr.write(`${line}\n`), stop() {} };
  }
  // The CommonJS module's exports object is its default export both unbundled and in the
  // esbuild bundle (where the named `SingleBar` import was undefined: a crash on every terminal).
  const { SingleBar } = (await import("cli-progress")).default;
  const started = Date.now();
  let latest: ScanProgress | undefined;
  const bar = new SingleBar({
    stream: process.stderr,
    format: (options, params: Params) => {
      const size = options.barsize ?? 16;
      const filled = latest !== undefined && latest.bytesTotal > 0 ? Math.round(params.progress * size) : 0;
      const text = latest === undefined ? "" : progressText(latest, (Date.now() - started) / 1000);
      const line = ` ${"█".repeat(filled)}${"░".repeat(size - filled)} ${text}`;
      const columns = process.stderr.columns || 80;
      return [...line].length > columns ? [...line].slice(0, columns - 1).join("") : line;
    },
    hideCursor: true,
    clearOnComplete: true,
    barsize: 16,
    fps: 5,
  });
  let startedBar = false;
  return {
    update(p) {
      latest = p;
      if (!startedBar) {
        bar.start(Math.max(1, p.bytesTotal), p.bytesDone);
        startedBar = true;
      } else {
        bar.setTotal(Math.max(1, p.bytesTotal));
        bar.update(p.bytesDone);
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
