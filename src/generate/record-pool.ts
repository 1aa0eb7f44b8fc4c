/**
 * The background records of one corpus, rendered once and then copied over and over with fresh
 * times and record numbers. A pool of a few thousand distinct records is enough variety for a
 * scanner (it sees every event id, host, path and escaping style many times per megabyte) and
 * makes writing a record a memory copy.
 */

import type { TextFormat } from "../formats/log-format.js";
import { backgroundSecurityEvent, backgroundSysmonEvent } from "./background-events.js";
import { decoyEvent } from "./planted-events.js";
import type { Prng } from "./prng.js";
import { randomStyle } from "./render-style.js";
import { RENDERERS } from "./renderers.js";
import { type CompiledTemplate, compileParts } from "./template.js";
import type { World } from "./world.js";

/**
 * 4096 records: at ~1.5 KB each a 6 MB pool, past the L2 cache but small next to a corpus; with
 * fewer (512) the same records recur visibly within a megabyte.
 */
export const POOL_SIZE = 4096;

/**
 * Share of decoys in the background: 0.5 %, about 3,500 per GiB, so every edge case of the rule
 * shows up thousands of times in a benchmark corpus and a few times per megabyte in tests.
 */
const DECOY_SHARE = 0.005;

/**
 * Share of Security-channel events: an NXLog collector forwards every channel (the OTRF captures
 * hold ~15 % Security events); XmlWinEventLog, evtx_dump and Winlogbeat exports of Sysmon hold
 * few.
 */
const SECURITY_SHARE: Record<TextFormat, number> = { flat: 0.15, xml: 0.01, evtxdump: 0.01, ecs: 0.03 };

/** Renders `size` background records (with a sprinkling of decoys) of `format`. */
export function buildPool(format: TextFormat, world: World, rng: Prng, size = POOL_SIZE): CompiledTemplate[] {
  const renderer = RENDERERS[format];
  const pool: CompiledTemplate[] = [];
  for (let i = 0; i < size; i++) {
    const machine = rng.pick(world.machines);
    const r = rng.float();
    const event =
      r < DECOY_SHARE
        ? decoyEvent(rng, world, machine)
        : r < DECOY_SHARE + SECURITY_SHARE[format]
          ? backgroundSecurityEvent(rng, world, machine)
          : backgroundSysmonEvent(rng, world, machine);
    pool.push(compileParts(renderer.render(event, randomStyle(rng, format), rng, world)));
  }
  return pool;
}
