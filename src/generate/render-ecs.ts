/**
 * Winlogbeat / Elastic Common Schema JSON lines: `winlog.*` as Winlogbeat reads the event
 * (`event_data` holds the Sysmon fields), plus the ECS fields its Sysmon module maps (`event`,
 * `host`, `process`, `file`, `user`) and the rendered `message`. Keys sorted as Beats writes them,
 * `<`, `>`, `&` escaped as Go's encoding/json does. `host.name` is the short, lower-case host
 * name; the endpoint the rule reports is `winlog.computer_name`.
 */

import type { EventFields } from "../rule/rule.js";
import { dataText, type EventModel, isSlot, SLOT, type SlotKind } from "./event-model.js";
import { messageText } from "./message-text.js";
import type { Prng } from "./prng.js";
import { type FormatRenderer, orElse, type RenderStyle } from "./render-style.js";
import { escapeJson, numberSlotMarker, type Parts, partsFromJson, slotMarker } from "./template.js";

function uuid(rng: Prng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`;
}

function eventIdValue(event: EventModel, style: RenderStyle): string | number {
  return style.winlogbeatMajor === 8 ? String(event.eventId) : event.eventId;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("\\") + 1);
}

/** ECS `process` and `file` objects the Sysmon module derives from `Image` / `TargetFilename`. */
function ecsProcessAndFile(event: EventModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const image = dataText(event, "Image") ?? dataText(event, "SourceImage");
  const target = dataText(event, "TargetFilename");
  if (target !== undefined && event.messageBody === undefined) {
    const name = baseName(target);
    const dot = name.lastIndexOf(".");
    out.file = {
      directory: target.slice(0, Math.max(0, target.lastIndexOf("\\"))),
      ...(dot > 0 ? { extension: name.slice(dot + 1).toLowerCase() } : {}),
      name,
      path: target,
    };
  }
  if (image !== undefined && event.messageBody === undefined) {
    const pid = event.data.find(([k]) => k === "ProcessId" || k === "SourceProcessId")?.[1];
    const guid = dataText(event, "ProcessGuid") ?? dataText(event, "SourceProcessGUID");
    out.process = {
      ...(guid === undefined ? {} : { entity_id: guid }),
      executable: image,
      name: baseName(image),
      ...(typeof pid === "number" ? { pid } : {}),
    };
  }
  return out;
}

function render(event: EventModel, style: RenderStyle, rng: Prng): Parts {
  const sysmon = event.messageBody === undefined;
  const version = style.winlogbeatMajor === 8 ? "8.5.3" : "7.17.7";
  const eventData: Record<string, unknown> = {};
  for (const [name, value] of event.data) {
    if (!(name in eventData)) eventData[name] = isSlot(value) ? slotMarker(value) : String(value);
  }
  const winlog: Record<string, unknown> = { api: "wineventlog" };
  if (event.channel !== null) winlog.channel = event.channel;
  if (event.computer !== null) winlog.computer_name = event.computer;
  winlog.event_data = eventData;
  winlog.event_id = eventIdValue(event, style);
  winlog.keywords = sysmon ? undefined : ["Audit Success"];
  winlog.opcode = "Info";
  winlog.process = { pid: event.executionPid, thread: { id: event.executionTid } };
  if (event.provider !== null) {
    winlog.provider_guid = event.provider.guid;
    winlog.provider_name = event.provider.name;
  }
  winlog.record_id = style.winlogbeatMajor === 8 ? slotMarker(SLOT.recordId) : numberSlotMarker(SLOT.recordId);
  winlog.task = event.category;
  if (sysmon) winlog.user = { domain: "NT AUTHORITY", identifier: event.userSid, name: "SYSTEM", type: "User" };
  winlog.version = event.version;

  const ecsEvent: Record<string, unknown> = { action: event.category };
  if (event.ecsCategory !== undefined) ecsEvent.category = event.ecsCategory[0];
  ecsEvent.code = style.winlogbeatMajor === 8 ? String(event.eventId) : event.eventId;
  ecsEvent.created = slotMarker(SLOT.isoMillis);
  ecsEvent.kind = "event";
  ecsEvent.module = sysmon ? "sysmon" : "security";
  if (event.provider !== null) ecsEvent.provider = event.provider.name;
  if (event.ecsCategory !== undefined) ecsEvent.type = event.ecsCategory[1];

  const record: Record<string, unknown> = { "@timestamp": slotMarker(SLOT.isoMillis) };
  const host = event.host;
  record.agent = {
    ephemeral_id: uuid(rng),
    ...(host === null ? {} : { hostname: host.shortName }),
    id: uuid(rng),
    ...(host === null ? {} : { name: host.shortName }),
    type: "winlogbeat",
    version,
  };
  record.ecs = { version: style.winlogbeatMajor === 8 ? "8.0.0" : "1.12.0" };
  record.event = ecsEvent;
  const extra = ecsProcessAndFile(event);
  if (extra.file !== undefined) record.file = extra.file;
  if (host !== null) {
    record.host = {
      architecture: "x86_64",
      hostname: host.shortName,
      id: uuid(rng),
      ip: [host.ip],
      mac: [host.mac],
      name: host.shortName,
      os: {
        build: host.osBuild,
        family: "windows",
        kernel: `10.0.${host.osBuild} (WinBuild.160101.0800)`,
        name: host.osName,
        platform: "windows",
        type: "windows",
        version: "10.0",
      },
    };
  }
  record.log = { level: "information" };
  record.message = messageText(event, "\n");
  if (extra.process !== undefined) record.process = extra.process;
  if (sysmon) record.rule = { name: "-" };
  record.winlog = winlog;
  return partsFromJson(escapeJson(`${JSON.stringify(record)}\n`, style.jsonEscaping));
}

function fields(event: EventModel, style: RenderStyle, slotText: (kind: SlotKind) => string): EventFields {
  return {
    eventId: eventIdValue(event, style),
    provider: event.provider?.name,
    channel: event.channel ?? undefined,
    computer: orElse(event.computer ?? undefined, event.host?.shortName),
    time: slotText(SLOT.isoMillis.slot),
    // The contract's "winlog.event_data.Image, else process.executable" (the Sysmon module's copy).
    image: orElse(dataText(event, "Image"), ecsExecutable(event)),
    targetFilename: dataText(event, "TargetFilename"),
  };
}

/** `process.executable` as ecsProcessAndFile writes it. */
function ecsExecutable(event: EventModel): string | undefined {
  if (event.messageBody !== undefined) return undefined;
  return dataText(event, "Image") ?? dataText(event, "SourceImage");
}

/** The Winlogbeat/ECS writer. */
export const ecsRenderer: FormatRenderer = { render, fields };
