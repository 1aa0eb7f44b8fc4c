/**
 * The rule's fields from one Windows event XML element, parsed with a real XML parser
 * (fast-xml-parser): entities and character references are decoded by the parser, attributes
 * may be quoted with `'` or `"`. Used by the reference engine; the wasm matcher must agree.
 */

import type { XMLParser } from "fast-xml-parser";
import { utf8Text } from "../platform/bytes.js";
import { newXmlParser } from "../platform/xml-parser.js";
import type { EventFields } from "../rule/rule.js";

/** Made on first use, so that loading this module does not load the parser (see platform/xml-parser.ts). */
let parser: XMLParser | undefined;

const PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  // Decodes numeric character references (&#233; &#xE9;) too, not only the five named ones.
  htmlEntities: true,
  removeNSPrefix: true,
} as const;

type XmlNode = Record<string, unknown>;

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

function asNode(v: unknown): XmlNode | undefined {
  const one = first(v);
  return typeof one === "object" && one !== null ? (one as XmlNode) : undefined;
}

/** Text content of an element: "" for an empty element, undefined when absent. */
function text(v: unknown): string | undefined {
  const one = first(v);
  if (one === undefined || one === null) return undefined;
  if (typeof one === "string") return one;
  if (typeof one === "object") {
    const t = (one as XmlNode)["#text"];
    return typeof t === "string" ? t : "";
  }
  return String(one);
}

function attribute(v: unknown, name: string): string | undefined {
  const node = asNode(v);
  const a = node?.[`@_${name}`];
  return typeof a === "string" ? a : undefined;
}

function dataValue(eventData: XmlNode | undefined, name: string): string | undefined {
  const data = eventData?.Data;
  const items = Array.isArray(data) ? data : data === undefined ? [] : [data];
  for (const item of items) {
    if (typeof item === "object" && item !== null && (item as XmlNode)["@_Name"] === name) return text(item);
  }
  return undefined;
}

/**
 * Parses one `<Event>` element. Returns undefined when it is not well-formed enough to
 * parse or has no `Event` root (the caller counts it as malformed).
 */
export function xmlEventFields(record: Uint8Array): EventFields | undefined {
  let doc: XmlNode;
  try {
    parser ??= newXmlParser(PARSER_OPTIONS);
    doc = parser.parse(utf8Text(record)) as XmlNode;
  } catch {
    return undefined;
  }
  const event = asNode(doc.Event);
  if (event === undefined) return undefined;
  const system = asNode(event.System);
  const eventData = asNode(event.EventData);
  return {
    eventId: text(system?.EventID),
    provider: attribute(system?.Provider, "Name"),
    channel: text(system?.Channel),
    computer: text(system?.Computer),
    time: attribute(system?.TimeCreated, "SystemTime"),
    image: dataValue(eventData, "Image"),
    targetFilename: dataValue(eventData, "TargetFilename"),
  };
}
