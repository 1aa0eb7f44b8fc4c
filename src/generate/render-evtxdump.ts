/**
 * evtx_dump JSON (omerbenamram/evtx): one `{"Event": {...}}` object per record, pretty-printed
 * with two-space indents and written back to back, as in the corpus. Attributes live under
 * `#attributes`; integers stay JSON numbers; GUIDs lose their braces and are upper case.
 */

import type { EventFields } from "../rule/rule.js";
import { type DataValue, type EventModel, SLOT, type SlotKind } from "./event-model.js";
import type { FormatRenderer, RenderStyle } from "./render-style.js";
import { escapeJson, jsonValue, numberSlotMarker, type Parts, partsFromJson, slotMarker } from "./template.js";

const NAMESPACE = "http://schemas.microsoft.com/win/2004/08/events/event";

function bareGuid(guid: string): string {
  return guid.replace(/^\{|\}$/g, "").toUpperCase();
}

function dataValue(name: string, value: DataValue): string | number {
  if (typeof value === "string" && /guid$/i.test(name) && value.startsWith("{")) return bareGuid(value);
  return jsonValue(value);
}

function eventIdValue(event: EventModel, style: RenderStyle): unknown {
  if (style.eventIdForm === "string") return String(event.eventId);
  if (style.eventIdForm === "qualifiers") return { "#attributes": { Qualifiers: 0 }, "#text": event.eventId };
  return event.eventId;
}

function render(event: EventModel, style: RenderStyle): Parts {
  const system: Record<string, unknown> = {};
  if (event.provider !== null) {
    system.Provider = { "#attributes": { Name: event.provider.name, Guid: bareGuid(event.provider.guid) } };
  }
  system.EventID = eventIdValue(event, style);
  system.Version = event.version;
  system.Level = event.level;
  system.Task = event.task;
  system.Opcode = event.opcode;
  system.Keywords = event.keywords;
  system.TimeCreated = { "#attributes": { SystemTime: slotMarker(SLOT.systemTime) } };
  system.EventRecordID = numberSlotMarker(SLOT.recordId);
  system.Correlation = null;
  system.Execution = { "#attributes": { ProcessID: event.executionPid, ThreadID: event.executionTid } };
  if (event.channel !== null) system.Channel = event.channel;
  if (event.computer !== null) system.Computer = event.computer;
  system.Security = event.userSid === "" ? null : { "#attributes": { UserID: event.userSid } };
  const eventData: Record<string, unknown> = {};
  for (const [name, value] of event.data) if (!(name in eventData)) eventData[name] = dataValue(name, value);
  const record = { Event: { "#attributes": { xmlns: NAMESPACE }, System: system, EventData: eventData } };
  return partsFromJson(escapeJson(`${JSON.stringify(record, null, 2)}\n`, style.jsonEscaping));
}

function fields(event: EventModel, style: RenderStyle, slotText: (kind: SlotKind) => string): EventFields {
  // Integers are JSON numbers here, so only string-valued items count as strings.
  const stringData = (name: string): string | undefined => {
    const raw = event.data.find(([k]) => k === name)?.[1];
    return typeof raw === "string" ? raw : undefined;
  };
  return {
    eventId: style.eventIdForm === "string" ? String(event.eventId) : event.eventId,
    provider: event.provider?.name,
    channel: event.channel ?? undefined,
    computer: event.computer ?? undefined,
    time: slotText(SLOT.systemTime.slot),
    image: stringData("Image"),
    targetFilename: stringData("TargetFilename"),
  };
}

/** The evtx_dump JSON writer. */
export const evtxdumpRenderer: FormatRenderer = { render, fields };
