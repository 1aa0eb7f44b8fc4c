/**
 * The reference's way to get the rule's fields from one text record's bytes: fast-xml-parser
 * for XML, JSON.parse and the record's own layout's field paths for JSON. The reference engine uses it on
 * every record; the wasm engine on the few it hands back (complex XML, records longer than its
 * input region), so both judge those records identically.
 */

import { utf8Text } from "../platform/bytes.js";
import type { EventFields } from "../rule/rule.js";
import { jsonEventFields } from "./json-fields.js";
import type { TextFormat } from "./log-format.js";
import { xmlEventFields } from "./xml-fields.js";

/** The fields of one record; undefined when the record does not parse. */
export function recordFields(format: TextFormat, bytes: Uint8Array): EventFields | undefined {
  if (format === "xml") return xmlEventFields(bytes);
  let value: unknown;
  try {
    value = JSON.parse(utf8Text(bytes));
  } catch {
    return undefined;
  }
  return jsonEventFields(value);
}
