/**
 * Why a file is not read: a short, specific reason for an input whose content is none of the
 * log formats we read, so a skipped file listed by `--verbose` (or named as a problem) says what
 * it looked like ("PNG image", "CSV text", "UTF-16 without BOM?") instead of a blanket "unknown".
 * Recognition is by magic bytes and a glance at the text; it only explains, it never decides.
 */

import { looksLikeElasticsearchHits, looksLikeLegacyWinlogbeat, skipBomAndSpace } from "../formats/log-format.js";
import { utf8Text } from "../platform/bytes.js";
import { looksLikeUtf16WithoutBom } from "./utf16-text.js";

/** The reason for a disk image of this kind. */
function diskImage(kind: string): string {
  return `${kind} disk image (a triage container: mount it and scan its winevt/Logs folder)`;
}

/** Magic numbers of files often found next to logs in triage folders. */
const MAGICS: readonly { bytes: readonly number[]; at?: number; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: "PNG image" },
  { bytes: [0xff, 0xd8, 0xff], what: "JPEG image" },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: "GIF image" },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: "PDF document" },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: "ELF binary" },
  { bytes: [0x4d, 0x5a], what: "Windows executable (PE)" },
  { bytes: [0x4d, 0x44, 0x4d, 0x50, 0x93, 0xa7], what: "minidump (.dmp)" },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: "OLE compound file (old Office, MSI)" },
  { bytes: [0x72, 0x65, 0x67, 0x66], what: "registry hive" },
  { bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66], what: "SQLite database" },
  { bytes: [0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00], what: "Windows shortcut (.lnk)" },
  { bytes: [0x53, 0x43, 0x43, 0x41], at: 4, what: "prefetch file" },
  { bytes: [0x4d, 0x41, 0x4d, 0x04], what: "compressed prefetch file" },
  // Disk images that triage tools write instead of a folder (KAPE --vhdx/--vhd, FTK Imager, ewfacquire):
  // the logs are inside a file system we do not open.
  { bytes: [0x76, 0x68, 0x64, 0x78, 0x66, 0x69, 0x6c, 0x65], what: diskImage("VHDX") },
  { bytes: [0x63, 0x6f, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x78], what: diskImage("VHD") },
  { bytes: [0x45, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00], what: diskImage("EnCase (E01)") },
  { bytes: [0x4e, 0x54, 0x46, 0x53, 0x20, 0x20, 0x20, 0x20], at: 3, what: diskImage("NTFS volume") },
];

function hasMagic(head: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (head.length < at + bytes.length) return false;
  return bytes.every((b, i) => head[at + i] === b);
}

/** How a text's first line reads: CSV (a header with commas or tabs, as Event Viewer and Export-Csv write), else plain text. */
function textKind(text: string): string {
  if (/<[A-Za-z_][\w.-]*:Event[\s>]/.test(text)) {
    return "Windows event XML with namespace-prefixed elements (<ns0:Event>, as Python's ElementTree writes), which we do not read";
  }
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  // BSD syslog (`Dec  1 05:30:00 host tag: ...`) or an ISO-stamped one (rsyslog, journalctl -o short-iso).
  if (/^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*) \S+ /.test(first)) {
    return text.includes("Linux-Sysmon")
      ? "syslog text with Sysmon for Linux events (Linux is not in this detection's scope)"
      : "syslog text";
  }
  // EvtxECmd (KAPE's EvtxECmd module) writes these columns, in CSV or as JSON lines.
  const evtxECmd = /\bEventId\b/.test(first) && /\b(?:MapDescription|PayloadData1)\b/.test(first);
  if (evtxECmd) {
    const kind = first.startsWith("{") ? "JSON" : "CSV";
    return `EvtxECmd ${kind} output (its Payload column holds the event data, which we do not read): scan the .evtx files it was made from`;
  }
  if (/^"?[\w .#-]+"?(?:[,;\t]"?[\w .#-]*"?){2,}$/.test(first)) return "CSV text";
  // A login, proxy or error page where a log was expected (an expired link, an SSO redirect).
  if (/^<!doctype html|^<html[\s>]/i.test(first)) return "an HTML page, not a log (a login or error page?)";
  if (/^<\?xml|^</.test(first)) return "XML without <Event> elements";
  if (/^\[?\s*\{\s*"preview"\s*:\s*(?:true|false)\s*,[^\n]*"result"\s*:\s*\{/.test(first)) {
    return "Splunk search results exported as JSON (each event a string in result._raw), which we do not read: export the raw events (Export > Raw Events, output_mode=raw)";
  }
  if (/^\{.*"vfs_path"\s*:.*"_Components"\s*:/.test(first)) {
    return "Velociraptor's list of collected files (uploads.json), not a log: the logs it lists are read where they lie, under uploads/";
  }
  if (looksLikeElasticsearchHits(text)) {
    return "Elasticsearch documents (each event under _source), which we do not read: write the events out one a line, e.g. jq -c '._source' (elasticdump output) or jq -c '.hits.hits[]._source' (a _search response), and scan that";
  }
  if (looksLikeLegacyWinlogbeat(text)) {
    return "Winlogbeat 5/6 JSON (event_id, log_name, event_data at the top level), a layout we do not read (Winlogbeat 7 and later nest them under winlog): scan the .evtx files, or ship them again with Winlogbeat 7 or later";
  }
  if (/^[[{]/.test(first)) return "JSON that is not a Sysmon log layout we read";
  return "text that is not a log format we read";
}

/**
 * A short reason why `head` (an input's first bytes) is not a log we read: "empty", a file type
 * ("PNG image", "ELF binary"), "UTF-16 without BOM?", "CSV text", or a general fallback.
 */
export function whyNotALog(head: Uint8Array): string {
  if (head.length === 0) return "empty";
  // An empty tar is 10 KiB of zeros (`tar -cf x.tar -T /dev/null`, a collector that found nothing);
  // a log preallocated, or zeroed by a crash, reads the same.
  if (head.every((b) => b === 0)) return "only NUL bytes (an empty tar, or a file zeroed or never written)";
  for (const m of MAGICS) if (hasMagic(head, m.bytes, m.at)) return m.what;
  if (looksLikeUtf16WithoutBom(head)) return "UTF-16 without BOM? (we read UTF-16 only with a byte order mark)";
  const sample = head.subarray(0, 4096);
  let control = 0;
  for (const b of sample) if (b === 0 || (b < 0x09 && b !== 0x1b)) control++;
  if (control > sample.length / 100) return "binary data, not a log format we read";
  return textKind(utf8Text(sample, skipBomAndSpace(sample)));
}
