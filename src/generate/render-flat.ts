/**
 * Flat JSON lines as NXLog's im_msvistalog writes them after a Logstash hop (OTRF/Mordor,
 * Splunk attack_data): every EventData field at the top level next to NXLog's own keys, keys in
 * hash order, `Hostname` the endpoint and `host` the collector. The older OTRF export
 * (`legacy`) is smaller: `TimeCreated`, the fields, `Message`, `Hostname`.
 */

import type { EventFields } from "../rule/rule.js";
import { type EventModel, isSlot, SLOT, type SlotKind } from "./event-model.js";
import { messageText } from "./message-text.js";
import type { Prng } from "./prng.js";
import { type FormatRenderer, orElse, type RenderStyle } from "./render-style.js";
import { escapeJson, numberSlotMarker, type Parts, partsFromJson, rawJson, slotMarker } from "./template.js";
import type { World } from "./world.js";

/** Logstash's tcp input port in the OTRF captures. */
const LOGSTASH_PORT = 64545;

function eventIdValue(event: EventModel, style: RenderStyle): string | number {
  return style.eventIdForm === "string" ? String(event.eventId) : event.eventId;
}

/** EventData items as NXLog writes them: every value a string. */
function dataEntries(event: EventModel, style: RenderStyle): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of event.data) {
    if (name === "UtcTime" && style.flatNoUtcTime) continue;
    out.push([name, isSlot(value) ? slotMarker(value) : String(value)]);
  }
  return out;
}

/**
 * Whether the record names its source (SourceName, Channel): a feed configured to drop them
 * (`flatNoSource`) is a Sysmon-only feed, so other channels' events keep theirs; without them
 * a Security-channel decoy would be taken as Sysmon (docs/detection.md) and match.
 */
function namesSource(event: EventModel, style: RenderStyle): boolean {
  return !style.flatNoSource || event.messageBody !== undefined;
}

function nxlogEntries(event: EventModel, style: RenderStyle, collector: string): [string, unknown][] {
  const sysmon = event.messageBody === undefined;
  const entries: [string, unknown][] = [
    ["Keywords", rawJson(sysmon ? "-9223372036854775808" : "-9214364837600034816")],
    ["SeverityValue", 2],
    ["EventReceivedTime", slotMarker(SLOT.receivedSeconds)],
    ["EventID", eventIdValue(event, style)],
    ["ExecutionProcessID", event.executionPid],
    ["host", collector],
    ["ThreadID", event.executionTid],
    [event.data.some(([k]) => k === "EventType") ? "EventTypeOrignal" : "EventType", sysmon ? "INFO" : "AUDIT_SUCCESS"],
    ["Opcode", "Info"],
    ["EventTime", slotMarker(SLOT.localSeconds)],
    ["@timestamp", slotMarker(SLOT.isoMillis)],
    ["SourceModuleType", "im_msvistalog"],
    ["port", LOGSTASH_PORT],
    ["RecordNumber", numberSlotMarker(SLOT.recordId)],
    ["Task", event.task],
    ["@version", "1"],
    ["OpcodeValue", 0],
    ["SourceModuleName", "eventlog"],
    ["Severity", "INFO"],
    ["Version", event.version],
    ["Category", event.category],
  ];
  if (sysmon) {
    entries.push(
      ["AccountType", event.account.type],
      ["UserID", event.userSid],
      ["AccountName", event.account.name],
      ["Domain", event.account.domain],
    );
  } else {
    entries.push(["Message", messageText(event, "\r\n")]);
  }
  if (namesSource(event, style)) {
    if (event.provider !== null) {
      entries.push(["SourceName", event.provider.name], ["ProviderGuid", event.provider.guid.toUpperCase()]);
    }
    if (event.channel !== null) entries.push(["Channel", event.channel]);
  }
  if (event.computer !== null) entries.push([style.flatComputerKey, event.computer]);
  return entries;
}

function legacyEntries(event: EventModel, style: RenderStyle): [string, unknown][] {
  const entries: [string, unknown][] = [["TimeCreated", slotMarker(SLOT.utcTime)]];
  if (namesSource(event, style) && event.provider !== null) entries.push(["SourceName", event.provider.name]);
  entries.push(["EventID", eventIdValue(event, style)]);
  if (namesSource(event, style) && event.channel !== null) entries.push(["Channel", event.channel]);
  entries.push(["Task", String(event.task)], ["Message", messageText(event, "\r\n")]);
  if (event.computer !== null) entries.push([style.flatComputerKey, event.computer]);
  return entries;
}

function render(event: EventModel, style: RenderStyle, rng: Prng, world: World): Parts {
  const own = style.flatFlavor === "legacy" ? legacyEntries(event, style) : nxlogEntries(event, style, world.collector);
  const data = dataEntries(event, style);
  const ownKeys = new Set(own.map(([k]) => k));
  for (const [k] of data) if (ownKeys.has(k)) throw new Error(`generator: EventData ${k} collides with a flat key`);
  const entries = rng.shuffle([...own, ...data]);
  const record: Record<string, unknown> = {};
  for (const [k, v] of entries) record[k] = v;
  return partsFromJson(escapeJson(`${JSON.stringify(record)}\n`, style.jsonEscaping));
}

function fields(event: EventModel, style: RenderStyle, slotText: (kind: SlotKind) => string): EventFields {
  const data = (name: string): string | undefined => {
    if (name === "UtcTime" && style.flatNoUtcTime) return undefined;
    const raw = event.data.find(([k]) => k === name)?.[1];
    if (raw === undefined) return undefined;
    return isSlot(raw) ? slotText(raw.slot) : String(raw);
  };
  const computerKeyValue = event.computer ?? undefined;
  const hostname = style.flatComputerKey === "Hostname" ? computerKeyValue : undefined;
  const computer = style.flatComputerKey === "Computer" ? computerKeyValue : undefined;
  const timestamp = style.flatFlavor === "nxlog" ? slotText(SLOT.isoMillis.slot) : undefined;
  return {
    eventId: eventIdValue(event, style),
    provider: namesSource(event, style) ? event.provider?.name : undefined,
    channel: namesSource(event, style) ? (event.channel ?? undefined) : undefined,
    computer: orElse(hostname, computer),
    time: orElse(data("UtcTime"), timestamp),
    image: data("Image"),
    targetFilename: data("TargetFilename"),
  };
}

/** The flat JSON lines writer. */
export const flatRenderer: FormatRenderer = { render, fields };
