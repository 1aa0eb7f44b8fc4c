/**
 * The full decoder of the reference engine: every record becomes a tree of elements,
 * attributes and text, with every value rendered, and the rule's fields are then picked from
 * the tree the way the XML format picks them (src/formats/xml-fields.ts): the first `System`
 * and `EventData` under the `Event` root, the first element of each name, the first `Data`
 * with the wanted `Name`, text = the element's own text pieces joined.
 */

import type { EventFields } from "../../rule/rule.js";
import type { Attribute, BinXmlHandler, BinXmlReader } from "./binxml.js";

/** An element of a decoded record. */
export interface XmlElement {
  name: string;
  attributes: readonly Attribute[];
  children: XmlNode[];
}

/** Element or text. */
export type XmlNode = XmlElement | string;

class TreeBuilder implements BinXmlHandler {
  readonly roots: XmlElement[] = [];
  private readonly stack: XmlElement[] = [];

  startElement(name: string, attributes: readonly Attribute[]): void {
    const element: XmlElement = { name, attributes, children: [] };
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) this.roots.push(element);
    else parent.children.push(element);
    this.stack.push(element);
  }

  text(value: string): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) return;
    const last = parent.children.length - 1;
    const previous = parent.children[last];
    if (typeof previous === "string") parent.children[last] = previous + value;
    else parent.children.push(value);
  }

  endElement(): void {
    this.stack.pop();
  }
}

/**
 * Decodes the record at chunk-relative `offset` (size `size`) into its top-level elements.
 * Throws BinXmlError when the record is malformed.
 */
export function decodeRecordTree(reader: BinXmlReader, offset: number, size: number): XmlElement[] {
  const builder = new TreeBuilder();
  reader.readRecord(offset, size, builder);
  return builder.roots;
}

function childElement(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  if (parent === undefined) return undefined;
  for (const child of parent.children) if (typeof child !== "string" && child.name === name) return child;
  return undefined;
}

/** The element's own text (its direct text pieces), "" when it has none. */
export function ownText(element: XmlElement): string {
  let s = "";
  for (const child of element.children) if (typeof child === "string") s += child;
  return s;
}

function attribute(element: XmlElement | undefined, name: string): string | undefined {
  if (element === undefined) return undefined;
  for (const [key, value] of element.attributes) if (key === name) return value;
  return undefined;
}

function dataValue(eventData: XmlElement | undefined, name: string): string | undefined {
  if (eventData === undefined) return undefined;
  for (const child of eventData.children) {
    if (typeof child !== "string" && child.name === "Data" && attribute(child, "Name") === name) return ownText(child);
  }
  return undefined;
}

/** The rule's fields from a decoded record, or undefined when it has no `Event` root. */
export function eventFieldsOfTree(roots: readonly XmlElement[]): EventFields | undefined {
  const event = roots.find((root) => root.name === "Event");
  if (event === undefined) return undefined;
  const system = childElement(event, "System");
  const eventData = childElement(event, "EventData");
  const textOf = (name: string): string | undefined => {
    const element = childElement(system, name);
    return element === undefined ? undefined : ownText(element);
  };
  return {
    eventId: textOf("EventID"),
    provider: attribute(childElement(system, "Provider"), "Name"),
    channel: textOf("Channel"),
    computer: textOf("Computer"),
    time: attribute(childElement(system, "TimeCreated"), "SystemTime"),
    image: dataValue(eventData, "Image"),
    targetFilename: dataValue(eventData, "TargetFilename"),
  };
}

function escapeXml(s: string, quote: boolean): string {
  let out = s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  if (quote) out = out.replace(/"/g, "&quot;");
  return out;
}

/** Renders a decoded element as XML text (for reading and for comparisons in tests). */
export function renderXml(element: XmlElement): string {
  let s = `<${element.name}`;
  for (const [name, value] of element.attributes) s += ` ${name}="${escapeXml(value, true)}"`;
  if (element.children.length === 0) return `${s}/>`;
  s += ">";
  for (const child of element.children) s += typeof child === "string" ? escapeXml(child, false) : renderXml(child);
  return `${s}</${element.name}>`;
}
