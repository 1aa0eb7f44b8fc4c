/**
 * lsass-dump-scan/web: the library for browsers and web workers. The same push scanner as the
 * Node build (createScanner, scanBytes, matchRecord), the same rows and output formats, and a
 * WHATWG TransformStream in place of Node's Transform. No Node built-ins: scripts/build-web.mjs
 * bundles this file with the src/platform/*.browser.ts seams swapped in. The wasm matcher is
 * compiled once, asynchronously, by {@link loadMatcher} (from `matcher.wasm` next to this
 * module unless the caller passes a URL, a Response or a compiled module).
 *
 * @example
 * ```ts
 * import { loadMatcher, scanBytes } from "lsass-dump-scan/web";
 * await loadMatcher();
 * const { rows } = scanBytes(new Uint8Array(await file.arrayBuffer()));
 * ```
 */

import { type ScanStats, statsSnapshot } from "../engine/engine.js";
import { type Hit, hitOf } from "../engine/hit.js";
import { ScanCore } from "../engine/scan-core.js";
import { resolveScannerOptions, type ScannerOptions } from "../engine/scanner-options.js";
import { ScanError } from "../errors.js";
import { type Row, toRows } from "../report/row.js";
import { isMatcherModule, provideMatcherModule } from "../wasm/module.js";

export type { ScanStats } from "../engine/engine.js";
export type { Hit, InputHit } from "../engine/hit.js";
export { matchRecord } from "../engine/match-record.js";
export { type BytesScanResult, scanBytes } from "../engine/scan-bytes.js";
export { createScanner, type Scanner } from "../engine/scanner.js";
export type { ScannerOptions } from "../engine/scanner-options.js";
export { evtxChunkRangeOfBytes, firstSyncAtOrAfter, SYNC_WINDOW } from "../engine/shard-edges.js";
export { type ErrorCode, ScanError } from "../errors.js";
export { detectLogFormat, LOG_FORMATS, type LogFormat, type TextFormat } from "../formats/log-format.js";
export { type AggregateEntry, Aggregates } from "../report/aggregate.js";
export { compareRows, type Row, toRows } from "../report/row.js";
export { type EventFields, type MatchedEvent, matchEvent, RULE } from "../rule/rule.js";
export { archiveKindOf, TAR_BLOCK } from "../scan/archive-kind.js";
export { whyNotALog } from "../scan/not-a-log.js";
export { utf16BomOf } from "../scan/utf16-text.js";
export { eventLines, formatEvents } from "../sinks/event-format.js";
export { formatRows, ROW_FORMATS, type RowFormat, TABLE_COLUMNS, terminalText } from "../sinks/row-format.js";
export type { ByteSource } from "../source/byte-source.js";

/** Where {@link loadMatcher} gets the matcher: a URL of the .wasm, a fetch Response, or a compiled module. */
export type MatcherSource = URL | string | Response | WebAssembly.Module;

/**
 * Compiles the wasm matcher (WebAssembly.compileStreaming) and makes it the one every scanner
 * in this thread uses; call once before the first scanner. Returns the module, which a page
 * can post to its workers (they pass it back here).
 *
 * @example
 * ```ts
 * const module = await loadMatcher(new URL("./matcher.wasm", import.meta.url));
 * worker.postMessage({ module });
 * ```
 */
export async function loadMatcher(
  source: MatcherSource = new URL("./matcher.wasm", import.meta.url),
): Promise<WebAssembly.Module> {
  let module: WebAssembly.Module;
  if (source instanceof WebAssembly.Module) module = source;
  else {
    // A failure is a ScanError naming where from (a 404, a page served in its place, a
    // network error), not a bare TypeError from compileStreaming.
    const where = source instanceof Response ? source.url || "the Response given" : String(source);
    const failed = (why: string, cause?: unknown): ScanError =>
      new ScanError("LDS_E_INPUT_UNREADABLE", `cannot load the matcher from ${where}: ${why}`, where, { cause });
    let response: Response;
    try {
      response = source instanceof Response ? source : await fetch(source);
    } catch (err) {
      throw failed(err instanceof Error ? err.message : String(err), err);
    }
    if (!response.ok) throw failed(`the server answered ${response.status}`);
    try {
      module = await WebAssembly.compileStreaming(response);
    } catch (err) {
      throw failed(err instanceof Error ? err.message : String(err), err);
    }
  }
  if (!isMatcherModule(module)) {
    throw new ScanError("LDS_E_USAGE", "loadMatcher: the module is not the matcher (matcher.wasm next to this module)");
  }
  provideMatcherModule(module);
  return module;
}

/** A TransformStream of bytes in, hits out, with the scan's rows and stats once it has ended. */
export interface HitStream extends TransformStream<Uint8Array, Hit> {
  /** The rule's rows of the hits so far (final once the readable side has ended). */
  rows(): Row[];
  /** Counters and problems so far (damage never errors the stream). */
  stats(): ScanStats;
}

/**
 * A TransformStream (WHATWG streams) that scans the bytes written to it and emits a Hit per
 * matched event: the browser's createScanStream. `await loadMatcher()` first.
 *
 * @example
 * ```ts
 * const hits = file.stream().pipeThrough(createHitStream());
 * for await (const hit of hits) console.log(hit.time, hit.dest, hit.targetFilename);
 * ```
 */
export function createHitStream(options?: ScannerOptions): HitStream {
  const resolved = resolveScannerOptions(options);
  const found: Hit[] = [];
  const core = new ScanCore(resolved, (event, at) => found.push(hitOf(event, at)));
  const flushTo = (controller: TransformStreamDefaultController<Hit>): void => {
    for (const hit of found) controller.enqueue(hit);
    found.length = 0;
  };
  const stream = new TransformStream<Uint8Array, Hit>({
    transform(chunk, controller) {
      core.push(chunk);
      flushTo(controller);
    },
    flush(controller) {
      core.end();
      flushTo(controller);
    },
  });
  return Object.assign(stream, {
    rows: () => toRows(core.aggregates.entries()),
    stats: () => statsSnapshot(core.stats),
  });
}
