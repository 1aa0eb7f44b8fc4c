/**
 * The reference engine: parses every record with a real parser (JSON.parse, fast-xml-parser)
 * and applies the rule in plain, obviously right code. It stays forever as the oracle the fast engine is tested against and as the "parse
 * everything" baseline in benchmarks.
 */

import { createReadStream } from "node:fs";
import { ScanError } from "../errors.js";
import { jsonEventFields } from "../formats/json-fields.js";
import { JsonRecordSplitter } from "../formats/json-records.js";
import type { LogFormat } from "../formats/log-format.js";
import type { RecordSink } from "../formats/record-sink.js";
import { xmlEventFields } from "../formats/xml-fields.js";
import { XmlEventSplitter } from "../formats/xml-records.js";
import { type EventFields, matchEvent } from "../rule/rule.js";
import { normalizeTime } from "../rule/time.js";
import { type Engine, emptyStats, type MatchHandler, type ScanStats } from "./engine.js";

/** Read size for files: big enough that per-chunk overhead is invisible next to parsing. */
const FILE_CHUNK = 1 << 20;

function recordSink(format: Exclude<LogFormat, "evtx">, stats: ScanStats, onMatch: MatchHandler): RecordSink {
  const fieldsOf =
    format === "xml"
      ? xmlEventFields
      : (bytes: Uint8Array): EventFields | undefined => {
          let value: unknown;
          try {
            value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8"));
          } catch {
            return undefined;
          }
          return jsonEventFields(value, format);
        };
  return {
    record(bytes) {
      stats.recordsExamined++;
      const fields = fieldsOf(bytes);
      if (fields === undefined) {
        stats.malformedRecords++;
        return;
      }
      const match = matchEvent(fields, normalizeTime);
      if (match !== null) {
        stats.matches++;
        onMatch(match);
      }
    },
    malformed() {
      stats.malformedRecords++;
    },
  };
}

async function scanText(
  chunks: AsyncIterable<Uint8Array>,
  format: Exclude<LogFormat, "evtx">,
  onMatch: MatchHandler,
): Promise<ScanStats> {
  const stats = emptyStats();
  const sink = recordSink(format, stats, onMatch);
  const splitter = format === "xml" ? new XmlEventSplitter(sink) : new JsonRecordSplitter(sink);
  for await (const chunk of chunks) {
    stats.bytes += chunk.length;
    splitter.push(chunk);
  }
  splitter.end();
  return stats;
}

function evtxUnsupported(): never {
  throw new ScanError("LDS_E_UNSUPPORTED", "EVTX is recognized but not supported yet");
}

/** The reference engine (stateless; safe to share). */
export const referenceEngine: Engine = {
  name: "reference",
  async scanStream(chunks, format, onMatch) {
    if (format === "evtx") return evtxUnsupported();
    return scanText(chunks, format, onMatch);
  },
  async scanFile(path, format, onMatch) {
    if (format === "evtx") return evtxUnsupported();
    return scanText(createReadStream(path, { highWaterMark: FILE_CHUNK }), format, onMatch);
  },
};
