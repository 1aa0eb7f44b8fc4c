/**
 * The reference engine: parses every record with a real parser (JSON.parse, fast-xml-parser)
 * and applies the rule in plain, obviously right code. It stays forever as the oracle the fast engine is tested against and as the "parse
 * everything" baseline in benchmarks.
 */

import { ScanError } from "../errors.js";
import { JsonRecordSplitter } from "../formats/json-records.js";
import type { LogFormat } from "../formats/log-format.js";
import { holdsMatchCandidate } from "../formats/match-candidate.js";
import { recordFields } from "../formats/record-fields.js";
import { oversizedRecordsProblem } from "../formats/record-limit.js";
import type { RecordSink } from "../formats/record-sink.js";
import { XmlEventSplitter } from "../formats/xml-records.js";
import { matchEvent } from "../rule/rule.js";
import { normalizeTime } from "../rule/time.js";
import { openByteSource, sourceChunks } from "../source/byte-source.js";
import { untilFailure } from "./cut-stream.js";
import {
  type Engine,
  emptyStats,
  type MatchHandler,
  noteMalformedOffset,
  type ScanStats,
  settleMalformedOffsets,
} from "./engine.js";
import { type EvtxScanOptions, scanEvtxFile, scanEvtxFileRange, scanEvtxStream } from "./evtx-searcher.js";

/** Read size for files: big enough that per-chunk overhead is invisible next to parsing. */
const FILE_CHUNK = 1 << 20;

/** Records skipped as longer than MAX_RECORD_BYTES in one input. */
interface Oversized {
  count: number;
  first: number;
}

function recordSink(
  format: Exclude<LogFormat, "evtx">,
  stats: ScanStats,
  oversized: Oversized,
  onMatch: MatchHandler,
): RecordSink {
  const json = format !== "xml";
  // A damaged record counts only when it could have held a match (match-candidate.ts).
  const damaged = (offset: number, bytes: Uint8Array | undefined): void => {
    if (bytes !== undefined && !holdsMatchCandidate(bytes, json)) return;
    stats.malformedRecords++;
    noteMalformedOffset(stats, offset);
  };
  return {
    record(bytes, offset) {
      stats.recordsExamined++;
      const fields = recordFields(format, bytes);
      if (fields === undefined) {
        damaged(offset, bytes);
        return;
      }
      const match = matchEvent(fields, normalizeTime);
      if (match !== null) {
        stats.matches++;
        onMatch(match);
      }
    },
    malformed: damaged,
    oversized(offset) {
      oversized.count++;
      if (oversized.count === 1) oversized.first = offset;
    },
  };
}

async function scanText(
  chunks: AsyncIterable<Uint8Array>,
  format: Exclude<LogFormat, "evtx">,
  onMatch: MatchHandler,
): Promise<ScanStats> {
  const stats = emptyStats();
  const oversized: Oversized = { count: 0, first: 0 };
  const sink = recordSink(format, stats, oversized, onMatch);
  const splitter = format === "xml" ? new XmlEventSplitter(sink) : new JsonRecordSplitter(sink);
  // A stream cut short: its last record is judged before the failure is reported, as in wasm-engine.ts.
  const source = untilFailure(chunks);
  for await (const chunk of source.chunks) {
    stats.bytes += chunk.length;
    splitter.push(chunk);
  }
  splitter.end();
  source.rethrow();
  if (oversized.count > 0) stats.problems.push(oversizedRecordsProblem(oversized.count, oversized.first));
  return settleMalformedOffsets(stats);
}

/** Options of {@link createReferenceEngine}. */
export interface ReferenceEngineOptions {
  /** EVTX: also recover records from slack space (reported as carved). */
  carve?: boolean | undefined;
}

/**
 * Builds a reference engine. Text formats are scanned whole (no shards: finding record starts
 * from an arbitrary offset is the fast engine's business); EVTX shards by chunk, like the fast
 * engine, with every record decoded in full.
 */
export function createReferenceEngine(options: ReferenceEngineOptions = {}): Engine {
  const evtx: EvtxScanOptions = { carve: options.carve === true };
  return {
    name: "reference",
    async scanStream(chunks, format, onMatch) {
      if (format === "evtx") return scanEvtxStream(chunks, onMatch, evtx);
      return scanText(chunks, format, onMatch);
    },
    async scanFile(path, format, onMatch) {
      if (format === "evtx") return scanEvtxFile(path, onMatch, evtx);
      const source = await openByteSource(path);
      try {
        return await scanText(sourceChunks(source, 0, source.size, FILE_CHUNK), format, onMatch);
      } finally {
        await source.close();
      }
    },
    async scanFileRange(path, format, start, end, onMatch) {
      if (format !== "evtx") throw new ScanError("LDS_E_UNSUPPORTED", "the reference engine scans text files whole");
      return scanEvtxFileRange(path, start, end, onMatch, evtx);
    },
    canShard: (format) => format === "evtx",
  };
}

/**
 * The reference engine without carving (stateless; safe to share).
 *
 * @example
 * ```ts
 * const stats = await referenceEngine.scanFile("sysmon.xml", "xml", (event) => console.log(event.dest));
 * ```
 */
export const referenceEngine: Engine = createReferenceEngine();
