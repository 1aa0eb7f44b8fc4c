/**
 * The writer for each text format, by the name the rest of the project uses for it.
 */

import type { TextFormat } from "../formats/log-format.js";
import { ecsRenderer } from "./render-ecs.js";
import { evtxdumpRenderer } from "./render-evtxdump.js";
import { flatRenderer } from "./render-flat.js";
import type { FormatRenderer } from "./render-style.js";
import { xmlRenderer } from "./render-xml.js";

/** Format → writer. */
export const RENDERERS: Record<TextFormat, FormatRenderer> = {
  xml: xmlRenderer,
  evtxdump: evtxdumpRenderer,
  flat: flatRenderer,
  ecs: ecsRenderer,
};

/** The formats the generator writes. */
export const GENERATED_FORMATS: readonly TextFormat[] = ["xml", "flat", "ecs", "evtxdump"];
