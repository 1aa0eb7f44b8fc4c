/**
 * The rule's fields from one parsed JSON record, for each JSON layout (evtx_dump, Velociraptor
 * parse_evtx, flat NXLog/OTRF, Winlogbeat/ECS), exactly as the table in
 * ../shared/design/detection.md says. The layout is decided per record from its own keys
 * ({@link classifyJsonRecord}), never per file: triage folders concatenate exports. Used by the
 * reference engine; the wasm matcher (assembly/json-fields.ts, assembly/hits.ts) must agree.
 *
 * Conventions: a string field whose value is not a string counts as absent; "A else B" takes
 * A when it is a non-empty string, else B; EventID may be a number or a string; a Velociraptor
 * time may also be a number (seconds since 1970).
 */

import type { EventFields } from "../rule/rule.js";

/** The JSON layouts a record can have. */
export type JsonLayout = "flat" | "ecs" | "evtxdump" | "velociraptor";

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

/**
 * evtx_dump records. An element's attributes are in its `#attributes` object, or (with
 * `--separate-json-attributes`) in a sibling `<Name>_attributes` object: the first when it
 * holds a string.
 */
function evtxDumpFields(record: Json): EventFields {
  const event = obj(record.Event);
  const system = obj(event?.System);
  const data = obj(event?.EventData);
  const rawId = system?.EventID;
  const attribute = (element: string, name: string): string | undefined =>
    str(obj(obj(system?.[element])?.["#attributes"])?.[name]) ?? str(obj(system?.[`${element}_attributes`])?.[name]);
  return {
    eventId: eventIdOf(obj(rawId) !== undefined ? obj(rawId)?.["#text"] : rawId),
    provider: attribute("Provider", "Name"),
    channel: str(system?.Channel),
    computer: str(system?.Computer),
    time: attribute("TimeCreated", "SystemTime"),
    image: str(data?.Image),
    targetFilename: str(data?.TargetFilename),
  };
}

/** Velociraptor parse_evtx rows: evtx_dump's layout without `Event`, `#attributes` and `#text`. */
function velociraptorFields(record: Json): EventFields {
  const system = obj(record.System);
  const data = obj(record.EventData);
  const rawId = system?.EventID;
  const time = obj(system?.TimeCreated)?.SystemTime;
  return {
    eventId: eventIdOf(obj(rawId) !== undefined ? obj(rawId)?.Value : rawId),
    provider: str(obj(system?.Provider)?.Name),
    channel: str(system?.Channel),
    computer: str(system?.Computer),
    time: typeof time === "number" || typeof time === "string" ? time : undefined,
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
    // Winlogbeat's Sysmon module moves these out of winlog.event_data into ECS fields.
    image: orElse(str(data?.Image), str(obj(record.process)?.executable)),
    targetFilename: orElse(str(data?.TargetFilename), str(obj(record.file)?.path)),
  };
}

/**
 * Which layout one parsed record has, from its own keys: an `Event` object is evtx_dump, else a
 * `System` object is Velociraptor, else a `winlog` object is Winlogbeat/ECS, else flat.
 */
export function classifyJsonRecord(record: Json): JsonLayout {
  if (obj(record.Event) !== undefined) return "evtxdump";
  if (obj(record.System) !== undefined) return "velociraptor";
  if (obj(record.winlog) !== undefined) return "ecs";
  return "flat";
}

/** Extracts the rule's fields from one parsed JSON record, whatever its layout; undefined when it is not an object. */
export function jsonEventFields(record: unknown): EventFields | undefined {
  const o = obj(record);
  if (o === undefined) return undefined;
  switch (classifyJsonRecord(o)) {
    case "evtxdump":
      return evtxDumpFields(o);
    case "velociraptor":
      return velociraptorFields(o);
    case "ecs":
      return ecsFields(o);
    default:
      return flatFields(o);
  }
}
