/**
 * createScanStream: bytes in, Hit objects out (objectMode), for pipelines that act on each
 * matched event (alert, enrich, store the record's byte range). Backpressure is Node's own: no
 * more input is taken while hits wait to be read. Damage never errors the stream: see stats().
 */

import type { Transform } from "node:stream";
import type { ScanStats } from "../engine/engine.js";
import { type Hit, hitOf } from "../engine/hit.js";
import { ScanCore } from "../engine/scan-core.js";
import { resolveScannerOptions, type ScannerOptions } from "../engine/scanner-options.js";
import type { Row } from "../report/row.js";
import { coreTransform } from "./core-transform.js";

/**
 * A scan stream: a Transform from bytes to {@link Hit} objects, with the scan's counters.
 *
 * @example
 * ```ts
 * const hits: ScanStream = createScanStream();
 * pipeline(createReadStream("sysmon.json.gz"), hits, () => {}); // a read error ends the loop
 * for await (const hit of hits) console.log(hit.dest);
 * console.log(hits.rows());
 * ```
 */
export interface ScanStream extends Transform {
  /** `for await (const hit of stream)` yields {@link Hit}s (Node's Readable says `any`). */
  [Symbol.asyncIterator](): AsyncIterableIterator<Hit>;
  /** Counters and problems of the input so far (final after 'end'). */
  stats(): ScanStats;
  /** The rule's rows of the input so far (final after 'end'). */
  rows(): Row[];
}

/**
 * Creates a scan stream: bytes of one log in (any format we read, plain or gzip), one
 * {@link Hit} object out per matched event, in input order. Throws ScanError (LDS_E_USAGE) at
 * once for bad options; damaged input ends the stream normally, reported in `stats()`.
 *
 * @example
 * ```ts
 * import { createReadStream } from "node:fs";
 * import { pipeline } from "node:stream";
 * import { createScanStream } from "lsass-dump-scan";
 *
 * // pipeline(), not .pipe(): a read error (a missing file) reaches the loop, which throws it.
 * const stream = createScanStream();
 * pipeline(createReadStream("winlogbeat.ndjson"), stream, () => {});
 * for await (const hit of stream) console.log(hit.time, hit.dest, hit.offset); // hit: Hit
 * ```
 */
export function createScanStream(options?: ScannerOptions): ScanStream {
  const resolved = resolveScannerOptions(options);
  let out: Hit[] = [];
  const core = new ScanCore(resolved, (event, at) => {
    out.push(hitOf(event, at));
  });
  const take = (): Hit[] => {
    const pending = out;
    out = [];
    return pending;
  };
  return coreTransform(core, { take, readableObjectMode: true });
}
