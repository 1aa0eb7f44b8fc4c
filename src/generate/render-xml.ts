/**
 * Windows event XML, one `<Event>` a line, exactly in the shape of Splunk's XmlWinEventLog and
 * of the corpus's rendered EVTX records: `'`-quoted attributes, the event namespace, `System`
 * then `EventData` with one `<Data Name='...'>` per field.
 */

import type { EventFields } from "../rule/rule.js";
import { dataText, type EventModel, isSlot, SLOT, SlotKind } from "./event-model.js";
import type { FormatRenderer, RenderStyle } from "./render-style.js";
import type { Parts } from "./template.js";

const NAMESPACE = "http://schemas.microsoft.com/win/2004/08/events/event";

/**
 * Escapes element text. `&`, `<`, `>` always (as Windows does); with `charRefs`, also quotes
 * as `&apos;`/`&quot;` and every non-ASCII code point as a numeric reference (hex for odd
 * code points, decimal for even ones, so both spellings occur).
 */
export function escapeXmlText(value: string, charRefs: boolean): string {
  let out = "";
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += "&gt;";
    else if (charRefs && ch === "'") out += "&apos;";
    else if (charRefs && ch === '"') out += "&quot;";
    else if (charRefs && cp > 0x7f) out += cp % 2 === 1 ? `&#x${cp.toString(16).toUpperCase()};` : `&#${cp};`;
    else out += ch;
  }
  return out;
}

function render(event: EventModel, style: RenderStyle): Parts {
  const text = (v: string): string => escapeXmlText(v, style.xmlCharRefs);
  const parts: Parts = [];
  let s = `<Event xmlns='${NAMESPACE}'><System>`;
  if (event.provider !== null) s += `<Provider Name='${event.provider.name}' Guid='${event.provider.guid}'/>`;
  s += style.eventIdForm === "qualifiers" ? `<EventID Qualifiers=''>` : "<EventID>";
  s += `${event.eventId}</EventID><Version>${event.version}</Version><Level>${event.level}</Level>`;
  s += `<Task>${event.task}</Task><Opcode>${event.opcode}</Opcode><Keywords>${event.keywords}</Keywords>`;
  s += "<TimeCreated SystemTime='";
  parts.push(s, SlotKind.SystemTime, "'/><EventRecordID>", SlotKind.RecordId, "</EventRecordID><Correlation/>");
  s = `<Execution ProcessID='${event.executionPid}' ThreadID='${event.executionTid}'/>`;
  if (event.channel !== null) s += `<Channel>${event.channel}</Channel>`;
  if (event.computer !== null) s += `<Computer>${text(event.computer)}</Computer>`;
  s += event.userSid === "" ? "<Security/>" : `<Security UserID='${event.userSid}'/>`;
  s += "</System><EventData>";
  for (const [name, value] of event.data) {
    if (isSlot(value)) {
      parts.push(`${s}<Data Name='${name}'>`, value.slot);
      s = "</Data>";
    } else {
      const v = String(value);
      s += v === "" ? `<Data Name='${name}'/>` : `<Data Name='${name}'>${text(v)}</Data>`;
    }
  }
  parts.push(`${s}</EventData></Event>\n`);
  return parts;
}

function fields(event: EventModel, _style: RenderStyle, slotText: (kind: SlotKind) => string): EventFields {
  return {
    eventId: String(event.eventId),
    provider: event.provider?.name,
    channel: event.channel ?? undefined,
    computer: event.computer ?? undefined,
    time: slotText(SLOT.systemTime.slot),
    image: dataText(event, "Image"),
    targetFilename: dataText(event, "TargetFilename"),
  };
}

/** The Windows event XML writer. */
export const xmlRenderer: FormatRenderer = { render, fields };
