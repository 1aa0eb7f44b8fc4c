/**
 * The rule's fields from one parsed JSON record, for each JSON flavour (evtx_dump, flat
 * NXLog/OTRF, Winlogbeat/ECS), exactly as the table in ../shared/design/detection.md says.
 * Used by the reference engine; the wasm matcher must agree.
 *
 * Conventions: a string field whose value is not a string counts as absent; "A else B" takes
 * A when it is a non-empty string, else B; EventID may be a number or a string.
 */

import type { EventFields } from "../rule/rule.js";
import type { TextFormat } from "./log-format.js";

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function eventIdOf(v: unknown): number | string | undefined {
  return typeof v === "number" || typeof v === "string" ? v : undefined;
}

/** A when it is a non-empty string, else B. */
function orElse(a: string | undefined, b: string | undefined): string | undefined {
  return a !== undefined && a !== "" ? a : b;
}

function evtxDumpFields(record: Json): EventFields {
  const event = obj(record.Event);
  const system = obj(event?.System);
  const data = obj(event?.EventData);
  const rawId = system?.EventID;
  return {
    eventId: eventIdOf(obj(rawId) !== undefined ? obj(rawId)?.["#text"] : rawId),
    provider: str(obj(obj(system?.Provider)?.["#attributes"])?.Name),
    channel: str(system?.Channel),
    computer: str(system?.Computer),
    time: str(obj(obj(system?.TimeCreated)?.["#attributes"])?.SystemTime),
    image: str(data?.Image),
    targetFilename: str(data?.TargetFilename),
  };
}

function flatFields(record: Json): EventFields {
  return {
    eventId: eventIdOf(record.EventID),
    provider: str(record.SourceName),
    channel: str(record.Channel),
    computer: orElse(str(record.Hostname), str(record.Computer)),
    time: orElse(str(record.UtcTime), str(record["@timestamp"])),
    image: str(record.Image),
    targetFilename: str(record.TargetFilename),
  };
}

function ecsFields(record: Json): EventFields {
  const winlog = obj(record.winlog);
  const data = obj(winlog?.event_data);
  return {
    eventId: eventIdOf(winlog?.event_id) ?? eventIdOf(obj(record.event)?.code),
    provider: str(winlog?.provider_name),
    channel: str(winlog?.channel),
    computer: orElse(str(winlog?.computer_name), str(obj(record.host)?.name)),
    time: str(record["@timestamp"]),
    image: str(data?.Image),
    targetFilename: str(data?.TargetFilename),
  };
}

/** Extracts the rule's fields from one parsed JSON record of the given flavour. */
export function jsonEventFields(record: unknown, format: Exclude<TextFormat, "xml">): EventFields | undefined {
  const o = obj(record);
  if (o === undefined) return undefined;
  if (format === "evtxdump") return evtxDumpFields(o);
  if (format === "ecs") return ecsFields(o);
  return flatFields(o);
}
