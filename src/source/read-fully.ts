/**
 * Exact reads from a {@link ByteSource}, apart from byte-source.ts so that code shared with the
 * browser build (shard edges) can use it without pulling in node:fs or the HTTP client.
 */

import { ScanError } from "../errors.js";
import type { ByteSource } from "./byte-source.js";

/** Reads exactly [position, position + length) or throws (the input ended early: it shrank). */
export async function readFully(
  source: ByteSource,
  target: Uint8Array,
  position: number,
  length: number,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const n = await source.read(target, done, length - done, position + done);
    if (n === 0) throw new ScanError("LDS_E_INPUT_UNREADABLE", "input shrank while being read", source.name);
    done += n;
  }
}
