/**
 * A compressed log cut short (a copy interrupted, a disk full) is a problem, and what was decoded
 * before the cut is scanned first (README, Archives: "after its decoded part was scanned"): the
 * same rows as the decoder's own output (`gzip -dc`, `zstd -dc`, `xz -dc` of the cut file) piped
 * into `scan -`, in both engines. The wasm engine lost up to 4 MiB of decoded text it held.
 */

import { Readable } from "node:stream";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { generateBuffer } from "../src/generate/corpus.js";
import { scan } from "../src/index.js";
import { folderPerTest } from "./helpers/inputs-fixtures.js";

const folder = folderPerTest();

describe("a truncated gzip: the decoded part's rows, then the problem", () => {
  const text = generateBuffer({ format: "flat", size: 12 * 1024 * 1024, seed: 21, hitsPerGb: 3000 }).buffer;
  const gz = gzipSync(text);
  const cut = gz.subarray(0, Math.floor(gz.length * 0.9));
  // What zlib decodes of the cut stream, as `gzip -dc` writes it before its error.
  const decoded = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });

  for (const engine of ["wasm", "reference"] as const) {
    it(`${engine}: the rows of the decoded bytes scanned as a whole input`, async () => {
      const path = folder.file("cut.json.gz", cut);
      const fromArchive = await scan([path], { engine, workers: 1 });
      const fromDecoded = await scan(["-"], { engine, workers: 1, stdin: Readable.from([decoded]) });
      expect(fromDecoded.problems).toEqual([]);
      expect(fromDecoded.rows.length).toBeGreaterThan(10);
      expect(fromArchive.rows).toEqual(fromDecoded.rows);
      expect(fromArchive.problems.map((p) => p.message)).toEqual([expect.stringMatching(/truncated gzip/)]);
    });
  }
});
