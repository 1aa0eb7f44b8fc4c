/**
 * The fast path's decoder: reads a candidate record's Binary XML as a stream and keeps only
 * the rule's seven fields, without building a tree. It must agree with the reference's
 * tree-based picking (event-tree.ts eventFieldsOfTree) on every record; the differential tests
 * hold it to that.
 */

import type { EventFields } from "../../rule/rule.js";
import type { Attribute, BinXmlHandler, BinXmlReader } from "./binxml.js";

type TextField = "eventId" | "channel" | "computer" | "image" | "targetFilename";

function attributeValue(attributes: readonly Attribute[], name: string): string | undefined {
  for (const [key, value] of attributes) if (key === name) return value;
  return undefined;
}

/** Depth 1 = the Event root, 2 = System / EventData, 3 = their children. */
class FieldCollector implements BinXmlHandler {
  private depth = 0;
  /** Depth of an open root that is not the event (ignored with all it holds), else 0. */
  private ignoredRootDepth = 0;
  private eventState: "before" | "open" | "done" = "before";
  private systemState: "before" | "open" | "done" = "before";
  private eventDataState: "before" | "open" | "done" = "before";
  private readonly seen = new Set<string>();
  private capture: TextField | null = null;
  private captureText = "";
  readonly fields: EventFields = {
    eventId: undefined,
    provider: undefined,
    channel: undefined,
    image: undefined,
    targetFilename: undefined,
    computer: undefined,
    time: undefined,
  };

  /** True once an `Event` root was met. */
  get hasEvent(): boolean {
    return this.eventState !== "before";
  }

  /** Only the attributes of System/Provider, System/TimeCreated and EventData/Data are read. */
  wantsAttributes(name: string): boolean {
    if (this.ignoredRootDepth !== 0 || this.depth + 1 !== 3) return false;
    if (this.systemState === "open") return (name === "Provider" || name === "TimeCreated") && !this.seen.has(name);
    return this.eventDataState === "open" && name === "Data";
  }

  /** Only the text of the element being captured is rendered. */
  wantsText(): boolean {
    return this.capture !== null && this.depth === 3;
  }

  startElement(name: string, attributes: readonly Attribute[]): void {
    const depth = ++this.depth;
    if (this.ignoredRootDepth !== 0) return;
    if (depth === 1) {
      // The first root named Event is the event; other roots are ignored.
      if (this.eventState === "before" && name === "Event") this.eventState = "open";
      else this.ignoredRootDepth = 1;
      return;
    }
    if (depth === 2) {
      if (name === "System" && this.systemState === "before") this.systemState = "open";
      else if (name === "EventData" && this.eventDataState === "before") this.eventDataState = "open";
      return;
    }
    if (depth !== 3) return;
    if (this.systemState === "open") this.systemChild(name, attributes);
    else if (this.eventDataState === "open" && name === "Data") {
      const dataName = attributeValue(attributes, "Name");
      if (dataName === "Image") this.startCapture("image");
      else if (dataName === "TargetFilename") this.startCapture("targetFilename");
    }
  }

  private systemChild(name: string, attributes: readonly Attribute[]): void {
    if (this.seen.has(name)) return;
    switch (name) {
      case "EventID":
        this.startCapture("eventId");
        break;
      case "Channel":
        this.startCapture("channel");
        break;
      case "Computer":
        this.startCapture("computer");
        break;
      case "Provider":
        this.fields.provider = attributeValue(attributes, "Name");
        break;
      case "TimeCreated":
        this.fields.time = attributeValue(attributes, "SystemTime");
        break;
      default:
        return;
    }
    this.seen.add(name);
  }

  private startCapture(field: TextField): void {
    if (this.fields[field] !== undefined) return;
    this.capture = field;
    this.captureText = "";
  }

  text(value: string): void {
    if (this.capture !== null && this.depth === 3) this.captureText += value;
  }

  endElement(): void {
    const depth = this.depth--;
    if (this.ignoredRootDepth !== 0) {
      if (depth === this.ignoredRootDepth) this.ignoredRootDepth = 0;
      return;
    }
    if (depth === 3 && this.capture !== null) {
      this.fields[this.capture] = this.captureText;
      this.capture = null;
    } else if (depth === 2) {
      if (this.systemState === "open") this.systemState = "done";
      else if (this.eventDataState === "open") this.eventDataState = "done";
    } else if (depth === 1) {
      this.eventState = "done";
    }
  }
}

/**
 * Decodes the record at chunk-relative `offset` (size `size`) and returns the rule's fields,
 * or undefined when it has no `Event` root. Throws BinXmlError when the record is malformed.
 */
export function decodeRecordFields(reader: BinXmlReader, offset: number, size: number): EventFields | undefined {
  const collector = new FieldCollector();
  reader.readRecord(offset, size, collector);
  return collector.hasEvent ? collector.fields : undefined;
}
