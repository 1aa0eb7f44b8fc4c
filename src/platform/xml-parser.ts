/**
 * fast-xml-parser, loaded on first use: the reference parser runs on every record only in the
 * reference engine, and in the wasm engine on the rare record it leaves to the reference (one
 * longer than a block), so the CLI's start-up and each pool thread's start need not load it
 * (146 KB bundled, ~7 ms here). Node requires its CommonJS build synchronously when the first
 * parser is made; the browser build (xml-parser.browser.ts) imports it statically.
 */

import { createRequire } from "node:module";
import type { X2jOptions, XMLParser } from "fast-xml-parser";

type XmlParserClass = new (options: X2jOptions) => XMLParser;

let parserClass: XmlParserClass | undefined;

/** A new fast-xml-parser XMLParser with `options`. */
export function newXmlParser(options: X2jOptions): XMLParser {
  parserClass ??= (createRequire(import.meta.url)("fast-xml-parser") as { XMLParser: XmlParserClass }).XMLParser;
  return new parserClass(options);
}
