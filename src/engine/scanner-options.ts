/**
 * Options of the embedding API (createScanner, scanBytes, the streams), checked once when a
 * scanner is made: a wrong option is the caller's mistake and throws ScanError (LDS_E_USAGE)
 * at once, never later in the middle of a stream.
 */

import { ScanError } from "../errors.js";
import { LOG_FORMATS, type LogFormat } from "../formats/log-format.js";
import { MAX_RECORD_BYTES } from "../formats/record-limit.js";
import { isMatcherModule } from "../wasm/module.js";

/**
 * Options of createScanner, scanBytes, createPrefilterStream and createScanStream.
 *
 * @example
 * ```ts
 * const options: ScannerOptions = { format: "ecs", maxRecordBytes: 8 * 1024 * 1024 };
 * const scanner = createScanner(options);
 * ```
 */
export interface ScannerOptions {
  /** Read the input as this format instead of detecting it from its first bytes. */
  format?: LogFormat | undefined;
  /** EVTX: also recover records from slack space (their hits say `carved: true`). */
  carve?: boolean | undefined;
  /**
   * Longest text record held, in bytes (default 64 MiB, at least 1024). A longer record is
   * followed to its end without being kept, and reported once in `stats().problems`: memory
   * stays bounded. Below 4 MiB it also shrinks the matcher's input region to this size.
   */
  maxRecordBytes?: number | undefined;
  /** The compiled matcher (build/matcher.wasm) to instantiate; compiled once per thread by default. */
  wasmModule?: WebAssembly.Module | undefined;
  /**
   * A live feed: every push (every chunk of a stream) ends with a flush, so a complete text
   * record's hit (or matched record) comes from the push that completes it instead of waiting
   * for a 4 MiB block or the end. Each push's records are then searched in a block of their own,
   * which costs throughput when pushes are small. Default false.
   */
  live?: boolean | undefined;
}

/** Options after checking, defaults filled in. */
export interface ResolvedScannerOptions {
  format: LogFormat | undefined;
  carve: boolean;
  maxRecordBytes: number;
  wasmModule: WebAssembly.Module | undefined;
  live: boolean;
  /** EVTX shards only (internal, not a public option): the index of the first chunk pushed after the header. */
  evtxFirstChunk?: number;
}

/** The smallest maxRecordBytes: below a few hundred bytes no Sysmon event fits anyway. */
const MIN_RECORD_LIMIT = 1024;

const KNOWN = new Set(["format", "carve", "maxRecordBytes", "wasmModule", "live"]);

function usage(message: string): ScanError {
  return new ScanError("LDS_E_USAGE", message);
}

/** Checks `options`; throws ScanError (LDS_E_USAGE) naming the first wrong one. */
export function resolveScannerOptions(options: unknown, extra: readonly string[] = []): ResolvedScannerOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object" || Array.isArray(options)) throw usage("options must be an object");
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key) && !extra.includes(key)) throw usage(`unknown option "${key}"`);
  }
  const { format, carve, maxRecordBytes, wasmModule, live } = o;
  if (format !== undefined && !LOG_FORMATS.includes(format as LogFormat) && format !== "jsonl") {
    throw usage(`format must be one of ${LOG_FORMATS.join(", ")} (got ${JSON.stringify(format)})`);
  }
  if (carve !== undefined && typeof carve !== "boolean") throw usage("carve must be a boolean");
  if (live !== undefined && typeof live !== "boolean") throw usage("live must be a boolean");
  if (
    maxRecordBytes !== undefined &&
    (typeof maxRecordBytes !== "number" || !Number.isSafeInteger(maxRecordBytes) || maxRecordBytes < MIN_RECORD_LIMIT)
  ) {
    throw usage(`maxRecordBytes must be a whole number of bytes, at least 1024 (got ${String(maxRecordBytes)})`);
  }
  if (wasmModule !== undefined && !(wasmModule instanceof WebAssembly.Module)) {
    throw usage("wasmModule must be a WebAssembly.Module");
  }
  if (wasmModule !== undefined && !isMatcherModule(wasmModule)) {
    throw usage("wasmModule is not the matcher (build/matcher.wasm): it lacks the matcher's imports or exports");
  }
  return {
    format: format === "jsonl" ? "flat" : (format as LogFormat | undefined),
    carve: carve === true,
    maxRecordBytes: (maxRecordBytes as number | undefined) ?? MAX_RECORD_BYTES,
    wasmModule: wasmModule as WebAssembly.Module | undefined,
    live: live === true,
  };
}
