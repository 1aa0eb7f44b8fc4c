/**
 * scanBytes: one call for bytes already in memory (a downloaded file, a message body): a
 * scanner, one push, end.
 */

import type { Row } from "../report/row.js";
import type { ScanStats } from "./engine.js";
import type { Hit } from "./hit.js";
import { createScanner } from "./scanner.js";
import type { ScannerOptions } from "./scanner-options.js";

/** What {@link scanBytes} returns. */
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
 */
export function scanBytes(bytes: Uint8Array, options?: ScannerOptions): BytesScanResult {
  const scanner = createScanner(options);
  const hits = scanner.push(bytes);
  hits.push(...scanner.end());
  return { rows: scanner.rows(), hits, stats: scanner.stats() };
}
