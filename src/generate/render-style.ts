/**
 * The cosmetic choices a log writer makes that the scanner must be indifferent to: escaping,
 * how the event id is spelled, which key holds the host, older export layouts. Each record
 * gets its own style, so one corpus exercises all of them.
 */

import type { TextFormat } from "../formats/log-format.js";
import type { EventFields } from "../rule/rule.js";
import type { EventModel, SlotKind } from "./event-model.js";
import type { Prng } from "./prng.js";
import type { JsonEscaping, Parts } from "./template.js";
import type { World } from "./world.js";

/** How one record is written. */
export interface RenderStyle {
  /** `plain`: a JSON number / XML text; `string`: `"11"` in JSON; `qualifiers`: `<EventID Qualifiers=''>` / `{"#text": 11}`. */
  eventIdForm: "plain" | "string" | "qualifiers";
  /** XML: write `'`, `"` and non-ASCII characters of values as character references. */
  xmlCharRefs: boolean;
  /** JSON: extra escaping of the writer (Python ensure_ascii, Go encoding/json). */
  jsonEscaping: JsonEscaping;
  /** Flat JSON: the key that names the endpoint. */
  flatComputerKey: "Hostname" | "Computer";
  /** Flat JSON: NXLog through Logstash (most public data), or the older OTRF export (`TimeCreated`, `Message`). */
  flatFlavor: "nxlog" | "legacy";
  /** Flat JSON: the exporter dropped `SourceName` and `Channel` (the record then counts as Sysmon). */
  flatNoSource: boolean;
  /** Flat JSON: no `UtcTime`, so the scanner falls back to `@timestamp`. */
  flatNoUtcTime: boolean;
  /** Winlogbeat major version: 7 writes `event_id` as a number, 8 as a string. */
  winlogbeatMajor: 7 | 8;
}

/** The plainest style: what most records of each format look like. */
export const PLAIN_STYLE: RenderStyle = {
  eventIdForm: "plain",
  xmlCharRefs: false,
  jsonEscaping: "plain",
  flatComputerKey: "Hostname",
  flatFlavor: "nxlog",
  flatNoSource: false,
  flatNoUtcTime: false,
  winlogbeatMajor: 7,
};

/** A random style for one record of `format`, mostly plain, sometimes each variation. */
export function randomStyle(rng: Prng, format: TextFormat): RenderStyle {
  const style = { ...PLAIN_STYLE };
  switch (format) {
    case "xml":
      style.xmlCharRefs = rng.chance(0.1);
      style.eventIdForm = rng.chance(0.03) ? "qualifiers" : "plain";
      break;
    case "evtxdump":
      style.jsonEscaping = rng.chance(0.1) ? "ascii" : "plain";
      style.eventIdForm = rng.weighted([
        [94, "plain"],
        [3, "string"],
        [3, "qualifiers"],
      ] as const);
      break;
    case "flat":
      style.jsonEscaping = rng.chance(0.1) ? "ascii" : "plain";
      style.eventIdForm = rng.chance(0.05) ? "string" : "plain";
      style.flatFlavor = rng.chance(0.08) ? "legacy" : "nxlog";
      style.flatComputerKey = rng.chance(0.1) ? "Computer" : "Hostname";
      style.flatNoSource = rng.chance(0.03);
      style.flatNoUtcTime = style.flatFlavor === "nxlog" && rng.chance(0.05);
      break;
    case "ecs":
      style.jsonEscaping = rng.chance(0.1) ? "go-ascii" : "go";
      style.winlogbeatMajor = rng.chance(0.5) ? 8 : 7;
      break;
  }
  return style;
}

/** Writes an event in one format, and says what a correct parser must extract from it. */
export interface FormatRenderer {
  /** The record's text as parts (ends with its record separator, a newline); `world` names the collector. */
  render(event: EventModel, style: RenderStyle, rng: Prng, world: World): Parts;
  /**
   * The fields the rule looks at, as a parser following ../shared/design/detection.md must
   * find them in the rendered record, slots read through `slotText`.
   */
  fields(event: EventModel, style: RenderStyle, slotText: (kind: SlotKind) => string): EventFields;
}

/** "A else B" of the field table: A when it is a non-empty string, else B. */
export function orElse(a: string | undefined, b: string | undefined): string | undefined {
  return a !== undefined && a !== "" ? a : b;
}
