/**
 * scanBytes: one call for bytes already in memory (a downloaded file, a message body): a
 * scanner, one push, end.
 */

import type { Row } from "../report/row.js";
import type { ScanStats } from "./engine.js";
import type { Hit } from "./hit.js";
import { createScanner } from "./scanner.js";
import type { ScannerOptions } from "./scanner-options.js";

/**
 * What {@link scanBytes} returns.
 *
 * @example
 * ```ts
 * const { rows, hits, stats }: BytesScanResult = scanBytes(bytes);
 * ```
 */
export interface BytesScanResult {
  /** The rule's rows, sorted. */
  rows: Row[];
  /** Every matched event with its record's byte range in `bytes` (decompressed, for gzip). */
  hits: Hit[];
  /** Counters and problems (damage never throws). */
  stats: ScanStats;
}

/**
 * Scans one input held in memory: any format we read, plain or gzip. Throws ScanError
 * (LDS_E_USAGE) for bad options only.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { scanBytes } from "lsass-dump-scan";
 *
 * const bytes = readFileSync("Sysmon.evtx");
 * const { rows, hits, stats } = scanBytes(bytes);
 * for (const hit of hits) console.log(hit.recordId, hit.targetFilename); // EVTX: EventRecordID
 * if (stats.problems.length > 0) console.error(stats.problems.join("\n"));
 * ```
 */
export function scanBytes(bytes: Uint8Array, options?: ScannerOptions): BytesScanResult {
  const scanner = createScanner(options);
  const hits = scanner.push(bytes);
  hits.push(...scanner.end());
  return { rows: scanner.rows(), hits, stats: scanner.stats() };
}
