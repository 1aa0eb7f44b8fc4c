/**
 * Format detection for bytes that arrive in pieces (createScanner's push, the streams): says
 * "need more" until the first bytes decide, and then gives exactly what detectLogFormat gives
 * on a 64 KiB head, so a pushed stream is read as the CLI reads the same file. It decides early
 * only when more bytes cannot change the answer (a complete magic, a complete first JSON object,
 * an `<Event` open within the 4 KiB the XML check looks at).
 */

import { latin1Text, utf8Text } from "../platform/bytes.js";
import {
  detectLogFormat,
  firstJsonObject,
  type LogFormat,
  SNIFF_BYTES,
  skipBomAndSpace,
  skipRecordLine,
} from "./log-format.js";

/** The sniffer's verdict: a format, "unknown" (not a log format we read), or "more" (wait). */
export type SniffResult = LogFormat | "unknown" | "more";

/** Bytes the XML check looks at after the first `<` (log-format.ts's looksLikeEventXml). */
const XML_LOOK = 4096;

const PREFIXES: readonly (readonly number[])[] = [
  [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00], // ElfFile\0
  [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00], // ElfChnk\0
  [0xef, 0xbb, 0xbf], // UTF-8 byte order mark
];

/** True when `rest` is a proper prefix of the UTF-8 byte order mark. */
function isBomPrefix(rest: Uint8Array): boolean {
  return rest.length < 3 && rest.every((b, i) => b === [0xef, 0xbb, 0xbf][i]);
}

/** True when all of `head` is a proper prefix of one of the magics or the BOM. */
function isPartialMagic(head: Uint8Array): boolean {
  return PREFIXES.some((magic) => head.length < magic.length && head.every((b, i) => b === magic[i]));
}

/**
 * Decides the format of an input from its first bytes `head`; `final` says no more bytes will
 * come. Returns "more" only when `final` is false and `head` is shorter than SNIFF_BYTES.
 */
export function sniffLogFormat(head: Uint8Array, final: boolean): SniffResult {
  if (final || head.length >= SNIFF_BYTES) return detectLogFormat(head.subarray(0, SNIFF_BYTES)) ?? "unknown";
  if (head.length === 0 || isPartialMagic(head)) return "more";
  const i = skipBomAndSpace(head);
  // White space and byte order marks so far (a BOM may follow a BOM: log-format.ts skipBomAndSpace).
  if (i >= head.length || isBomPrefix(head.subarray(i))) return "more";
  const c = head[i];
  if (c === 0x3c /* < */) {
    if (detectLogFormat(head) === "xml") return "xml";
    return head.length - i >= XML_LOOK ? "unknown" : "more";
  }
  if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
    const text = utf8Text(head, i);
    return firstJsonObject(text) === undefined ? "more" : (detectLogFormat(head) ?? "unknown");
  }
  if (c === 0x52 /* R */) {
    // evtx_dump's `Record N` line: wait for all of it, then for what follows it to decide.
    const after = skipRecordLine(head, i);
    if (after === i) return RECORD_LINE_START.test(latin1Text(head, i, head.length)) ? "more" : "unknown";
    return sniffLogFormat(head.subarray(after), false) === "more" ? "more" : (detectLogFormat(head) ?? "unknown");
  }
  return detectLogFormat(head) ?? "unknown";
}

/** Bytes that may still become a `Record N` line (log-format.ts skipRecordLine looks at 32). */
const RECORD_LINE_START = /^(?:R(?:e(?:c(?:o(?:r(?:d(?: \d{0,20}\r?)?)?)?)?)?)?)$/;

/** True when `head` starts with the gzip magic (1f 8b). */
export function isGzipHead(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}
