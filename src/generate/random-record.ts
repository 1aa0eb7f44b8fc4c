/**
 * Single records on demand, for property tests: a background event, a true positive or a decoy
 * of any kind, in any format and any writer style, with the fields a correct parser must
 * extract from it and the match (or null) the rule must give.
 */

import type { TextFormat } from "../formats/log-format.js";
import { type EventFields, type MatchedEvent, matchEvent } from "../rule/rule.js";
import { normalizeTime } from "../rule/time.js";
import { backgroundSecurityEvent, backgroundSysmonEvent } from "./background-events.js";
import { Clock } from "./clock.js";
import type { EventModel } from "./event-model.js";
import { DECOY_VARIANTS, type DecoyVariant, DumpCounter, decoyEvent, truePositiveEvents } from "./planted-events.js";
import { Prng } from "./prng.js";
import { type RenderStyle, randomStyle } from "./render-style.js";
import { RENDERERS } from "./renderers.js";
import { compileParts } from "./template.js";
import { makeWorld, type World } from "./world.js";

/** What kind of record to make. */
export type RecordKind = "background" | "truePositive" | "decoy";

/** One generated record and what a scanner must make of it. */
export interface GeneratedRecord {
  kind: RecordKind;
  /** The decoy kind, for decoys. */
  variant?: DecoyVariant;
  format: TextFormat;
  /** The record's bytes, UTF-8, ending with its newline. */
  bytes: Buffer;
  /** The fields a parser following the detection's field table extracts. */
  fields: EventFields;
  /** matchEvent on those fields: non-null exactly for true positives. */
  match: MatchedEvent | null;
  /** The event before rendering, and the style it was written in. */
  event: EventModel;
  style: RenderStyle;
}

/** Options of {@link randomRecord}. */
export interface RandomRecordOptions {
  /** The network to draw hosts and users from (default: one fixed network). */
  world?: World;
  /** For decoys: which edge case (default: random). */
  variant?: DecoyVariant;
  /** Writer style (default: random for the format). */
  style?: RenderStyle;
}

let defaultWorld: World | undefined;

/** A fixed network (seed 1), shared by calls that do not pass their own. */
export function sharedWorld(): World {
  defaultWorld ??= makeWorld(new Prng(1));
  return defaultWorld;
}

const EPOCH_2019_SECONDS = Date.UTC(2019, 0, 1) / 1000;

/** Makes one record of `kind` in `format` from `rng`. */
export function randomRecord(
  rng: Prng,
  format: TextFormat,
  kind: RecordKind,
  options: RandomRecordOptions = {},
): GeneratedRecord {
  const world = options.world ?? sharedWorld();
  const machine = rng.pick(world.machines);
  let event: EventModel;
  let variant: DecoyVariant | undefined;
  if (kind === "truePositive") {
    const dumpNumber = rng.chance(0.6) ? 1 : rng.range(2, 12);
    event = truePositiveEvents(rng, world, machine, new DumpCounter(), dumpNumber).fileCreate;
  } else if (kind === "decoy") {
    variant = options.variant ?? rng.pick(DECOY_VARIANTS);
    event = decoyEvent(rng, world, machine, variant);
  } else {
    event = rng.chance(0.1) ? backgroundSecurityEvent(rng, world, machine) : backgroundSysmonEvent(rng, world, machine);
  }
  const style = options.style ?? randomStyle(rng, format);
  const renderer = RENDERERS[format];
  const template = compileParts(renderer.render(event, style, rng, world));
  const clock = new Clock(
    (EPOCH_2019_SECONDS + rng.int(6 * 365 * 86400)) * 1_000_000 + rng.int(1_000_000),
    100_000_000 + rng.int(800_000_000),
  );
  const bytes = Buffer.allocUnsafe(template.bytes.length);
  clock.writeRecord(template, bytes, 0);
  const fields = renderer.fields(event, style, (k) => clock.text(k));
  const record: GeneratedRecord = {
    kind,
    format,
    bytes,
    fields,
    match: matchEvent(fields, normalizeTime),
    event,
    style,
  };
  if (variant !== undefined) record.variant = variant;
  return record;
}
