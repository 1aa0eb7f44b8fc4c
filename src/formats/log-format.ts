/**
 * The log formats we read, and how one is recognized from the first bytes of an input
 * (content, never the file name). See ../shared/design/detection.md for where each format
 * keeps the rule's fields.
 */

import { latin1Text, utf8Text } from "../platform/bytes.js";

/**
 * Text formats. For JSON the flavour names what the input starts with (for messages and
 * `--input-format`); every engine reads each JSON record in its own layout whatever the flavour
 * (src/formats/json-fields.ts), so a file mixing layouts gives every row. Velociraptor rows
 * count as evtx_dump (its layout without the `Event` wrapper).
 *
 * @example
 * ```ts
 * const format: TextFormat = "ecs"; // Winlogbeat
 * ```
 */
export type TextFormat = "xml" | "evtxdump" | "flat" | "ecs";
/**
 * Every log format, text or binary.
 *
 * @example
 * ```ts
 * const format: LogFormat = "evtx";
 * scanBytes(bytes, { format });
 * ```
 */
export type LogFormat = TextFormat | "evtx";

/**
 * All log formats, in the spelling `--input-format` takes.
 *
 * @example
 * ```ts
 * if (!LOG_FORMATS.includes(answer as LogFormat)) throw new Error(`use one of ${LOG_FORMATS.join(", ")}`);
 * ```
 */
export const LOG_FORMATS: readonly LogFormat[] = ["xml", "evtxdump", "flat", "ecs", "evtx"];

/** Human names, for messages and the README. */
export const FORMAT_NAMES: Record<LogFormat, string> = {
  xml: "Windows event XML",
  evtxdump: "evtx_dump JSON",
  flat: "flat JSON lines (NXLog/OTRF)",
  ecs: "Winlogbeat/ECS JSON",
  evtx: "EVTX",
};

/** How many leading bytes {@link detectLogFormat} wants to see (it copes with fewer). */
export const SNIFF_BYTES = 64 * 1024;

import { classifyJsonRecord, type JsonLayout } from "./json-fields.js";

const EVTX_MAGIC = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"
const EVTX_CHUNK_MAGIC = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]; // "ElfChnk\0"

function startsWith(head: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (head.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[at + i] !== magic[i]) return false;
  return true;
}

/** The UTF-16 byte orders we read (WHATWG encoding labels). */
export type Utf16Encoding = "utf-16le" | "utf-16be";

/** The UTF-16 byte order an input's byte order mark announces (FF FE: LE, FE FF: BE), if any. */
export function utf16BomOf(head: Uint8Array): Utf16Encoding | undefined {
  if (head.length < 2) return undefined;
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return undefined;
}

/**
 * Index of the first byte after UTF-8 byte order marks and white space. More than one BOM: `cat`
 * of exports that each begin with one, the first of them empty (Windows PowerShell 5.1
 * `Out-File -Encoding utf8` of no events writes the BOM alone); the engines skip a BOM between
 * records too (json-records.ts).
 */
export function skipBomAndSpace(head: Uint8Array): number {
  let i = 0;
  while (i < head.length) {
    const c = head[i];
    if (c === 0xef && head[i + 1] === 0xbb && head[i + 2] === 0xbf) i += 3;
    else if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else break;
  }
  return i;
}

/**
 * Recognizes a log format from an input's first bytes (up to {@link SNIFF_BYTES}).
 * Returns undefined for anything else (binary, empty, other text).
 *
 * JSON flavour: the first top-level object decides (classifyJsonRecord). evtx_dump's default
 * output starts with a `Record N` line before its first record, JSON or (`-o xml`) XML.
 *
 * @example
 * ```ts
 * detectLogFormat(readFileSync("Sysmon.evtx").subarray(0, 65536)); // "evtx"
 * ```
 */
export function detectLogFormat(head: Uint8Array): LogFormat | undefined {
  if (startsWith(head, EVTX_MAGIC) || startsWith(head, EVTX_CHUNK_MAGIC)) return "evtx";
  const i = skipBomAndSpace(head);
  if (i >= head.length) return undefined;
  const c = head[i];
  if (c === 0x3c /* < */) return looksLikeEventXml(head, i) ? "xml" : undefined;
  if (c === 0x7b /* { */ || c === 0x5b /* [ */) return jsonFlavour(head, i);
  const afterRecordLine = skipRecordLine(head, i);
  if (afterRecordLine > i) {
    const j = afterRecordLine + skipBomAndSpace(head.subarray(afterRecordLine));
    if (head[j] === 0x7b && jsonFlavour(head, j) !== undefined) return "evtxdump";
    // `evtx_dump -o xml`: `Record N`, an `<?xml ...?>` declaration and one pretty-printed
    // `<Event>` per record; the lines between events are no part of any record.
    if (head[j] === 0x3c && looksLikeEventXml(head, j)) return "xml";
  }
  return undefined;
}

/** The kind of bytes a format is, for {@link forcedFormatMismatch}. */
function familyOf(format: LogFormat): "EVTX" | "XML" | "JSON" {
  return format === "evtx" ? "EVTX" : format === "xml" ? "XML" : "JSON";
}

/**
 * Why an input whose first bytes are `head` cannot be read as `forced` (`--input-format`), or
 * undefined. Only a plain mismatch counts: EVTX bytes read as text, XML read as JSON, JSON read
 * as XML; those would scan to nothing and report a clean input. Within one family (the JSON
 * layouts) the user may know better than the detection, and `evtx` reports its own problem.
 *
 * @example
 * ```ts
 * forcedFormatMismatch("xml", readFileSync("Sysmon.evtx").subarray(0, 65536));
 * // "is EVTX, not xml (--input-format xml): not scanned"
 * ```
 */
export function forcedFormatMismatch(forced: LogFormat, head: Uint8Array): string | undefined {
  if (forced === "evtx") return undefined;
  const detected = detectLogFormat(head);
  if (detected === undefined || familyOf(detected) === familyOf(forced)) return undefined;
  return `is ${familyOf(detected)}, not ${forced} (--input-format ${forced}): not scanned`;
}

/**
 * evtx_dump's default output (`-o json` and `-o xml`) puts `Record N` on a line of its own
 * before each record: the index after it, or `from`.
 */
export function skipRecordLine(head: Uint8Array, from: number): number {
  const line = latin1Text(head, from, Math.min(head.length, from + 32));
  const m = /^Record \d+\r?\n/.exec(line);
  return m === null ? from : from + m[0].length;
}

function looksLikeEventXml(head: Uint8Array, from: number): boolean {
  const text = latin1Text(head, from, Math.min(head.length, from + 4096));
  // `<?xml ...?>`, `<Events>`, comments, then `<Event ` / `<Event>`. Events with a namespace
  // prefix (`<ns0:Event>`, as Python's ElementTree writes them back) are no records to either
  // engine: such a file is not taken for XML (it is skipped with its reason, scan/not-a-log.ts)
  // rather than scanned to a silent nothing.
  return /<Event[\s>]/.test(text);
}

function jsonFlavour(head: Uint8Array, from: number): TextFormat | undefined {
  const text = utf8Text(head, from);
  const first = firstJsonObject(text);
  if (first !== undefined) {
    try {
      const value: unknown = JSON.parse(first);
      if (isObject(value) && (isSplunkExport(value) || isEvtxECmdRow(value) || isLegacyWinlogbeat(value))) {
        return undefined;
      }
      if (isObject(value)) {
        const layout = classifyJsonRecord(value);
        if (layout === "flat" && !holdsEventKey(value)) return undefined;
        return flavourOf(layout);
      }
    } catch {
      // fall through to the key heuristics below
    }
  }
  // The first record is longer than the sniffed head: decide by the keys it shows (the engines
  // decide each record's layout on their own anyway).
  if (
    SPLUNK_EXPORT_START.test(text) ||
    looksLikeLegacyWinlogbeat(text) ||
    looksLikeElasticsearchHits(text) ||
    looksLikeWrapper(text)
  ) {
    return undefined;
  }
  if (/^[[\s]*\{\s*"Event"\s*:\s*\{/.test(text)) return "evtxdump";
  if (/^[[\s]*\{\s*"System"\s*:\s*\{/.test(text)) return "evtxdump";
  // Beats sorts keys: `ecs` (and `agent.type`) come long before a `winlog` after a big `message`.
  if (/"winlog"\s*:\s*\{|"ecs"\s*:\s*\{\s*"version"|"type"\s*:\s*"winlogbeat"/.test(text)) return "ecs";
  if (/^[[\s]*\{\s*"/.test(text)) return "flat";
  return undefined;
}

/**
 * Splunk's JSON export of search results (Export > JSON, `search/jobs/export?output_mode=json`):
 * `{"preview":false,"offset":0,"result":{"_raw":"<Event ...>",...}}` a line. The event is a
 * string inside the record, which no layout reads: taken for flat JSON, its true positives would
 * be a silent nothing. Not a log format we read (skipped and named, scan/not-a-log.ts).
 */
function isSplunkExport(record: Record<string, unknown>): boolean {
  const result = record.result;
  return isObject(result) && typeof result._raw === "string";
}

/**
 * Top-level keys of the flat and ECS layouts (src/formats/json-fields.ts) that say a record is
 * an event (its id, source, channel, time or the rule's fields), or a log's record of another
 * kind (NXLog's syslog records carry SourceName); evtx_dump, Velociraptor and Winlogbeat records
 * are known by their `Event`, `System` and `winlog` objects. A host name alone is not enough:
 * Velociraptor's client_info.json has `Hostname`.
 */
const EVENT_KEYS: readonly string[] = [
  "EventID",
  "SourceName",
  "Channel",
  "UtcTime",
  "@timestamp",
  "Image",
  "TargetFilename",
  "event",
  "process",
  "file",
];

/** Top-level keys that decide a record's layout (src/formats/json-fields.ts classifyJsonRecord). */
const LAYOUT_KEYS: readonly string[] = ["Event", "System", "winlog"];

/**
 * Whether JSON text (a first record longer than the sniffed head) is a wrapper around other
 * records: every top-level member it shows has an object or array value and a key no layout
 * reads, and the text ends inside such a value or between members. An Azure Monitor Logs query
 * response (`{"tables":[...]}`), plaso's `psort -o json` (`{"event_0": {...}, "event_1": {...}}`),
 * `{"events":[...]}`. The engines would read it as one record (up to the record limit) holding
 * no field of any layout, to a silent nothing, where the same file under 64 KiB is named as JSON
 * of no layout. A log's record shows a layout's key or a scalar member early (Beats'
 * `@timestamp`, NXLog's `EventTime`), or the text ends inside its first long string value (a
 * `Message` first): none of them is taken for a wrapper.
 */
function looksLikeWrapper(text: string): boolean {
  const open = /^[[\s]*\{/.exec(text);
  if (open === null) return false;
  const member = /\s*"((?:[^"\\]|\\.)*)"\s*:\s*/y;
  let i = open[0].length;
  let containers = 0;
  while (true) {
    member.lastIndex = i;
    const m = member.exec(text);
    const key = m?.[1];
    // The text may end inside the next member's key, before its value.
    if (m === null || key === undefined) return containers > 0 && MEMBER_START.test(text.slice(i));
    if (LAYOUT_KEYS.includes(key) || EVENT_KEYS.includes(key)) return false;
    i = member.lastIndex;
    if (i >= text.length) return containers > 0;
    const c = text.charCodeAt(i);
    if (c !== 0x7b && c !== 0x5b) return false; // a scalar member: a record, not a wrapper
    const end = containerEnd(text, i);
    if (end < 0) return true; // the text ends inside it
    containers++;
    const next = /\s*,/y;
    next.lastIndex = end;
    if (!next.test(text)) return /^\s*$/.test(text.slice(end)) && containers > 0;
    i = next.lastIndex;
  }
}

/** What may precede a member's value: white space, its key (maybe cut short), `:`. */
const MEMBER_START = /^\s*(?:"(?:[^"\\]|\\.)*(?:"\s*(?::\s*)?)?)?$/;

/** The index after the object or array opening at `from`, or -1 when the text ends first. */
function containerEnd(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Whether a record the layouts would take for flat holds any key a layout reads. A first record
 * with none (Velociraptor's collection metadata: uploads.json `{"Timestamp","started","vfs_path",
 * "_Components",...}`, log.json, client_info.json; a tool's settings or an inventory) is
 * no event log: read as flat JSON it would be a silent "no alerts" with status 0, the
 * collection's metadata counted as logs scanned.
 */
function holdsEventKey(record: Record<string, unknown>): boolean {
  return EVENT_KEYS.some((key) => Object.hasOwn(record, key));
}

/**
 * Eric Zimmerman's EvtxECmd `--json` output (KAPE's EvtxECmd module): one row a line with
 * `EventId`, `Channel`, `Computer`, `MapDescription`, `PayloadData1`..`6` and the event's
 * EventData as a JSON string in `Payload`, which no layout reads. Taken for flat JSON (it has
 * `Channel`), its true positives would be a silent nothing: not a log format we read (skipped
 * and named, scan/not-a-log.ts); scan the .evtx files it was made from.
 */
function isEvtxECmdRow(record: Record<string, unknown>): boolean {
  return (
    Object.hasOwn(record, "EventId") &&
    !Object.hasOwn(record, "EventID") &&
    (Object.hasOwn(record, "MapDescription") || Object.hasOwn(record, "PayloadData1"))
  );
}

/**
 * Winlogbeat 5 and 6 (`output.file`, or an Elasticsearch index of that time): the event at the top
 * level, `event_id`, `log_name`, `source_name`, `computer_name` and an `event_data` object, with
 * `beat` and `type: "wineventlog"`; Winlogbeat 7 moved them under `winlog`. No layout of the
 * contract reads those keys: taken for flat JSON (it has `@timestamp`), its true positives would
 * be a silent nothing. Not a log format we read (skipped and named, scan/not-a-log.ts).
 */
function isLegacyWinlogbeat(record: Record<string, unknown>): boolean {
  // A first event of another channel may have no event_data; `beat` and `type` are always there.
  return (
    (isObject(record.event_data) || isObject(record.beat) || record.type === "wineventlog") &&
    !Object.hasOwn(record, "EventID") &&
    !isObject(record.winlog) &&
    (Object.hasOwn(record, "event_id") || Object.hasOwn(record, "log_name") || Object.hasOwn(record, "source_name"))
  );
}

/**
 * Whether JSON text (a first record, maybe longer than the sniffed head) shows the keys of
 * {@link isLegacyWinlogbeat}: Beats sorts keys, so `beat` and `computer_name` come before a long
 * `message`. Also names such a file in scan/not-a-log.ts.
 *
 * @example
 * ```ts
 * looksLikeLegacyWinlogbeat('{"@timestamp":"...","beat":{"name":"WS01"},"computer_name":"WS01","event_data":{');
 * // true
 * ```
 */
export function looksLikeLegacyWinlogbeat(text: string): boolean {
  return (
    /^[[\s]*\{/.test(text) &&
    /"beat"\s*:\s*\{/.test(text) &&
    /"(?:event_id|log_name|source_name|computer_name)"\s*:/.test(text) &&
    !/"winlog"\s*:\s*\{/.test(text)
  );
}

/**
 * Whether JSON text is Elasticsearch documents as a search returns them: a `_search` response
 * (`{"took":4,"timed_out":false,...,"hits":{"hits":[...]}}`), or its hits one a line as
 * elasticdump writes them (`{"_index":"...","_id":"...","_score":1,"_source":{...}}`). The event
 * is under `_source`, which no layout reads. A response is one object, often longer than the
 * sniffed head: the key heuristics would find a `"winlog":{` deep inside it and read the whole
 * response as one ECS record, to a silent nothing. Not a log format we read (skipped and named,
 * scan/not-a-log.ts).
 *
 * @example
 * ```ts
 * looksLikeElasticsearchHits('{"took":4,"timed_out":false,"hits":{"hits":[{"_index":"x","_source":{');
 * // true
 * ```
 */
export function looksLikeElasticsearchHits(text: string): boolean {
  return (
    /^[[\s]*\{\s*"took"\s*:\s*\d+\s*,\s*"timed_out"\s*:/.test(text) ||
    (/^[[\s]*\{\s*"_index"\s*:/.test(text) && /"_source"\s*:\s*\{/.test(text))
  );
}

/** The start of a Splunk JSON export whose first record is longer than the sniffed head. */
const SPLUNK_EXPORT_START =
  /^\[?\s*\{\s*"preview"\s*:\s*(?:true|false)\s*,\s*(?:"offset"\s*:\s*\d+\s*,\s*)?"result"\s*:\s*\{/;

/** The flavour detection reports for a record of this layout. */
function flavourOf(layout: JsonLayout): Exclude<TextFormat, "xml"> {
  return layout === "velociraptor" ? "evtxdump" : layout;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The text of the first complete top-level object (inside an optional top-level array), or undefined. */
export function firstJsonObject(text: string): string | undefined {
  let start = -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 0x7d) {
      depth--;
      if (depth === 0 && start >= 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}
