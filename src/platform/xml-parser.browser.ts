/**
 * The browser side of xml-parser.ts: the page's bundle holds fast-xml-parser itself.
 */

import { type X2jOptions, XMLParser } from "fast-xml-parser";

/** A new fast-xml-parser XMLParser with `options`. */
export function newXmlParser(options: X2jOptions): XMLParser {
  return new XMLParser(options);
}
