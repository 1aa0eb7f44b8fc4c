/**
 * Issue 2: every edge-case seed gives exactly its rows with the reference engine, and format
 * detection recognizes each seed's format from content.
 */

import { describe, expect, it } from "vitest";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { detectLogFormat, SNIFF_BYTES } from "../src/formats/log-format.js";
import { Aggregates } from "../src/report/aggregate.js";
import { toRows } from "../src/report/row.js";
import { type ExpectedRow, SEEDS } from "./helpers/seed-table.js";

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function* byteByByte(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
}

function summary(agg: Aggregates): ExpectedRow[] {
  return toRows(agg.entries()).map((r) => [r.dest, r.process_name, r.TargetFilename, r.count, r.firstTime, r.lastTime]);
}

describe("seed table, reference engine", () => {
  for (const seed of SEEDS) {
    const bytes = Buffer.from(seed.content);
    it(seed.name, async () => {
      expect(detectLogFormat(bytes.subarray(0, SNIFF_BYTES))).toBe(seed.format);
      const agg = new Aggregates();
      const stats = await referenceEngine.scanStream(oneChunk(bytes), seed.format, (e) => agg.add(e));
      expect(summary(agg)).toEqual(seed.rows);
      if (seed.malformed !== undefined) {
        expect(stats.malformedRecords).toBe(seed.malformed);
        expect(stats.malformedOffsets).toHaveLength(seed.malformed);
      }
      const small = new Aggregates();
      await referenceEngine.scanStream(byteByByte(bytes), seed.format, (e) => small.add(e));
      expect(summary(small)).toEqual(seed.rows);
    });
  }
});
