/**
 * One table for every suite: a row per measurement, with its median, its throughput, and its
 * ratios to what it is compared with in the same run. Printed as Markdown, so a run can be
 * pasted into bench/RESULTS.md as it is.
 */

/** One measured (or skipped) thing. */
export interface ResultRow {
  suite: string;
  /** What was scanned: format, density, size. */
  case: string;
  /** Who scanned it: engine, tool, setting. */
  subject: string;
  /** Median ms per call, when measured. */
  medianMs?: number | undefined;
  /** MB/s (10^6 B/s) of log data, when it makes sense. */
  mbps?: number | undefined;
  /** Ratios to other rows of the same run, e.g. "31× reference, 4.2× indexOf". */
  ratios?: string | undefined;
  /** Hits found and checked, peak RSS, why it was skipped... */
  note?: string | undefined;
}

/** `1.23 ms`, `12.3 ms`, `1.23 s`. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 0.1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

/** `12.3 GB/s`, `456 MB/s`, `7.8 MB/s`. */
export function formatRate(mbps: number): string {
  if (mbps >= 1000) return `${(mbps / 1000).toFixed(mbps >= 10_000 ? 1 : 2)} GB/s`;
  if (mbps >= 100) return `${mbps.toFixed(0)} MB/s`;
  return `${mbps.toFixed(1)} MB/s`;
}

/** `31×`, `4.2×`, `0.45×`, `0.0038×`. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "n/a";
  if (ratio >= 100) return `${ratio.toFixed(0)}×`;
  if (ratio >= 10) return `${ratio.toFixed(1)}×`;
  if (ratio >= 0.1) return `${ratio.toFixed(2)}×`;
  return `${ratio.toPrecision(2)}×`;
}

const HEADERS = ["suite", "case", "subject", "median", "throughput", "ratios", "note"];

/** The rows as a Markdown table. */
export function renderTable(rows: readonly ResultRow[]): string {
  const cells = rows.map((r) => [
    r.suite,
    r.case,
    r.subject,
    r.medianMs === undefined ? "" : formatMs(r.medianMs),
    r.mbps === undefined ? "" : formatRate(r.mbps),
    r.ratios ?? "",
    r.note ?? "",
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(HEADERS), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** `1 hit ✓`, `16 hits ✓`: the answer a row's benchmark checked before it measured. */
export function hitsChecked(hits: number): string {
  return `${hits} hit${hits === 1 ? "" : "s"} ✓`;
}
