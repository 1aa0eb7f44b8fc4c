/**
 * The embedding API on the real public corpus (../shared/corpus; skipped with a message where it
 * is absent): every plain log file pushed in 7-byte pieces (text) or 4 KiB pieces (EVTX) gives
 * the hits of the whole buffer and of scan(), each with a byte range that holds its record, and
 * the rows of scan() over the same files; the pre-filter stream's output scans to the same rows.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { createPrefilterStream, createScanner, type Hit, matchRecord, scan, scanBytes } from "../src/index.js";
import { Aggregates } from "../src/report/aggregate.js";
import { toRows } from "../src/report/row.js";
import { CORPUS, HAVE_CORPUS } from "./helpers/cli.js";
import { pieces } from "./helpers/embed-inputs.js";

const PARTS = ["xml", "jsonl", "json-evtxdump", "evtx"];

if (!HAVE_CORPUS) console.warn(`skipping the embedding API's corpus tests: ${CORPUS} is absent`);

function files(): string[] {
  return PARTS.flatMap((part) => readdirSync(join(CORPUS, part)).map((name) => join(CORPUS, part, name)));
}

describe.skipIf(!HAVE_CORPUS)("embedding API on ../shared/corpus", () => {
  it("pieces of 7 bytes (text) and 4 KiB (EVTX) find each true positive once, ranges holding the records", async () => {
    const aggregates = new Aggregates();
    let total = 0;
    for (const path of files()) {
      const bytes = readFileSync(path);
      const evtx = path.endsWith(".evtx");
      const scanner = createScanner();
      const hits: Hit[] = [];
      for (const piece of pieces(bytes, [evtx ? 4096 : 7])) hits.push(...scanner.push(piece));
      hits.push(...scanner.end());
      expect(scanner.stats().problems, path).toEqual([]);
      expect(hits, path).toEqual(scanBytes(bytes).hits);
      const viaScan: Hit[] = [];
      await scan([path], { workers: 1, onHit: ({ input: _i, member: _m, ...hit }) => viaScan.push(hit) });
      expect(hits, path).toEqual(viaScan);
      expect(new Set(hits.map((h) => h.offset)).size).toBe(hits.length);
      for (const hit of hits) {
        aggregates.add(hit);
        const record = bytes.subarray(hit.offset, hit.offset + hit.length);
        if (evtx) {
          expect(record.readUInt32LE(0)).toBe(0x2a2a);
          expect(record.readUInt32LE(4)).toBe(hit.length);
        } else {
          const { offset: _o, length: _l, ...event } = hit;
          expect(matchRecord(record)).toEqual(event);
        }
      }
      total += hits.length;
    }
    // The plain files hold 3 of EXPECTED.jsonl's 4 events (the 4th is the JSON file again, in a zip).
    expect(total).toBe(3);
    expect(toRows(aggregates.entries())).toEqual((await scan(files(), { workers: 1 })).rows);
  });

  it("the pre-filter stream's output scans to the input's rows, file by file", async () => {
    for (const path of files()) {
      const bytes = readFileSync(path);
      const stream = createPrefilterStream();
      const out: Buffer[] = [];
      stream.on("data", (b: Buffer) => out.push(b));
      await pipeline(Readable.from(pieces(bytes, [65536])), stream);
      const output = Buffer.concat(out);
      expect(scanBytes(output).rows, path).toEqual(scanBytes(bytes).rows);
      expect(output.length, path).toBeLessThanOrEqual(bytes.length);
    }
  });
});
