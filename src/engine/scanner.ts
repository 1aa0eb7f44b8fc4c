/**
 * createScanner: the synchronous, push-driven scanner for hosts that hold bytes (a log
 * pipeline, a queue consumer, a worker). Each scanner owns one wasm instance (as-sha256's habit: no
 * sharing, no locks) and reads one input: push pieces of any size, then end(). See
 * scan-core.ts for how bytes become hits.
 */

import type { LogFormat } from "../formats/log-format.js";
import type { Row } from "../report/row.js";
import { toRows } from "../report/row.js";
import { type ScanStats, statsSnapshot } from "./engine.js";
import { type Hit, hitOf } from "./hit.js";
import { ScanCore } from "./scan-core.js";
import { type ResolvedScannerOptions, resolveScannerOptions, type ScannerOptions } from "./scanner-options.js";

/**
 * A synchronous scanner over one input's bytes.
 *
 * @example
 * ```ts
 * const scanner = createScanner();
 * socket.on("data", (chunk: Buffer) => {
 *   for (const hit of scanner.push(chunk)) alert(hit.dest, hit.targetFilename, hit.offset);
 * });
 * socket.on("end", () => {
 *   for (const hit of scanner.end()) alert(hit.dest, hit.targetFilename, hit.offset);
 *   console.log(scanner.rows(), scanner.stats().problems);
 * });
 * ```
 */
export interface Scanner {
  /**
   * Takes the next bytes of the input (any size, even one byte; the array may be reused after
   * the call) and returns the hits confirmed by them, in input order. A record is confirmed once
   * it is complete and searched: text in 4 MiB blocks (a hit may wait for the push that fills its
   * block, for flush() or for end()), EVTX per 64 KiB chunk.
   */
  push(chunk: Uint8Array): Hit[];
  /**
   * Returns the hits of the complete text records pushed so far, without waiting for a 4 MiB
   * block: for a live feed that should alert within its own latency (call it after each batch,
   * or on a timer). An XML record is complete at its close tag; a JSON record at the line feed
   * after its closing brace (a JSON line at its own line end), or at end(); a JSON record inside
   * a top-level array once the next one has begun. flush() never changes which records match,
   * only when their hits come.
   */
  flush(): Hit[];
  /** Ends the input and returns the last hits; afterwards rows() and stats() are final. */
  end(): Hit[];
  /** The rule's rows (aggregated matches, sorted) of the hits so far. */
  rows(): Row[];
  /** Counters so far; `problems` lists damage (corrupt gzip, bad EVTX chunk, unknown format). */
  stats(): ScanStats;
  /** The input's format once known (forced or detected from the first bytes). */
  readonly format: LogFormat | undefined;
}

/**
 * Creates a scanner. Throws ScanError (LDS_E_USAGE) at once for bad options; never throws for
 * bad input (see {@link Scanner.stats}).
 *
 * @example
 * ```ts
 * import { createScanner } from "lsass-dump-scan";
 *
 * const scanner = createScanner(); // format from the first bytes; gzip inflated inside
 * const hits = [];
 * for await (const chunk of response.body) hits.push(...scanner.push(chunk));
 * hits.push(...scanner.end());
 * for (const hit of hits) console.log(hit.time, hit.dest, `bytes ${hit.offset}+${hit.length}`);
 * ```
 */
export function createScanner(options?: ScannerOptions): Scanner {
  return scannerOf(resolveScannerOptions(options));
}

/** A scanner over options already checked (internal: the browser page's EVTX shards set evtxFirstChunk). */
export function scannerOf(resolved: ResolvedScannerOptions): Scanner {
  let hits: Hit[] = [];
  const core = new ScanCore(resolved, (event, at) => {
    hits.push(hitOf(event, at));
  });
  const take = (): Hit[] => {
    const out = hits;
    hits = [];
    return out;
  };
  return {
    push(chunk: Uint8Array): Hit[] {
      core.push(chunk);
      return take();
    },
    flush(): Hit[] {
      core.flush();
      return take();
    },
    end(): Hit[] {
      core.end();
      return take();
    },
    rows: () => toRows(core.aggregates.entries()),
    stats: () => statsSnapshot(core.stats),
    get format() {
      return core.format;
    },
  };
}
