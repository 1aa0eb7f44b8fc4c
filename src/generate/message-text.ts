/**
 * The event's rendered message, as Windows's EvtFormatMessage gives it and as Winlogbeat
 * (`message`) and older flat exports (`Message`) carry it: a title line, then `Name: value` for
 * every Sysmon field (Security events have their own prose body).
 */

import { type EventModel, isSlot } from "./event-model.js";
import { slotMarker } from "./template.js";

/** The message text, lines joined by `newline`; slots appear as JSON slot markers. */
export function messageText(event: EventModel, newline: "\n" | "\r\n"): string {
  if (event.messageBody !== undefined) {
    const body = newline === "\r\n" ? event.messageBody : event.messageBody.replaceAll("\r\n", "\n");
    return `${event.messageTitle}${newline}${newline}${body}`;
  }
  const lines = [event.messageTitle];
  for (const [name, value] of event.data) {
    lines.push(`${name}: ${isSlot(value) ? slotMarker(value) : String(value)}`);
  }
  return lines.join(newline);
}
