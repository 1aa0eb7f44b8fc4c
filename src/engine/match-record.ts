/**
 * matchRecord: the per-record hook for hosts that already split their logs into records (a
 * Kafka consumer, a Logstash-style filter, an upload handler). One record in, the matched event
 * or null out, judged by the reference parsers and rule.ts, so it agrees with every engine.
 */

import { ScanError } from "../errors.js";
import { jsonEventFields } from "../formats/json-fields.js";
import { skipBomAndSpace } from "../formats/log-format.js";
import { xmlEventFields } from "../formats/xml-fields.js";
import { utf8Text } from "../platform/bytes.js";
import { type MatchedEvent, matchEvent } from "../rule/rule.js";
import { normalizeTime } from "../rule/time.js";

/**
 * A record that cannot match: a match's TargetFilename ends in `.dmp`, so its text holds `dmp`
 * in some case, unless an escape (`\u0064`, `&#100;`) spells it.
 */
const MAY_MATCH = /dmp|\\u|&/i;

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function matchObject(record: Record<string, unknown>): MatchedEvent | null {
  // The record's own keys decide its layout (json-fields.ts classifyJsonRecord).
  const fields = jsonEventFields(record);
  return fields === undefined ? null : matchEvent(fields, normalizeTime);
}

/**
 * Applies the rule to one record: Windows event XML (`<Event>...</Event>`), one JSON record in
 * any layout we read (evtx_dump, Velociraptor, flat NXLog/OTRF, Winlogbeat/ECS; the layout is
 * recognized per record), as text, UTF-8 bytes, or an already parsed object. Returns the matched event, or null
 * when the record does not match or does not parse. Throws ScanError (LDS_E_USAGE) when
 * `record` is none of those types.
 *
 * @example
 * ```ts
 * import { matchRecord } from "lsass-dump-scan";
 *
 * consumer.on("message", (message) => {
 *   const event = matchRecord(message.value); // a Buffer holding one JSON or XML event
 *   if (event !== null) raise(`${event.processName} dumped lsass on ${event.dest}: ${event.targetFilename}`);
 * });
 * ```
 */
export function matchRecord(record: string | Uint8Array | object): MatchedEvent | null {
  if (typeof record === "string" || record instanceof Uint8Array) {
    const text = typeof record === "string" ? record : utf8Text(record);
    if (!MAY_MATCH.test(text)) return null;
    const bytes = typeof record === "string" ? new TextEncoder().encode(record) : record;
    const first = bytes[skipBomAndSpace(bytes)];
    if (first === 0x3c /* < */) {
      const fields = xmlEventFields(bytes);
      return fields === undefined ? null : matchEvent(fields, normalizeTime);
    }
    if (first !== 0x7b /* { */) return null;
    let value: unknown;
    try {
      value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch {
      return null;
    }
    return isRecordObject(value) ? matchObject(value) : null;
  }
  if (isRecordObject(record)) return matchObject(record);
  throw new ScanError("LDS_E_USAGE", "matchRecord takes a string, a Uint8Array or a parsed JSON object");
}
