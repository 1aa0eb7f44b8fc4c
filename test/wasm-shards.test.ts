/**
 * scanFileRange (issue 4's shards): files cut into ranges anywhere (mid-record, on a sync
 * point, at 0 and the end) give, merged, exactly the rows of the whole file, which are the
 * reference engine's rows. Every format and layout, including JSON without sync points
 * (objects indented in an array: the first shard then scans it all) and EVTX (by chunk).
 */

import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { createWasmEngine } from "../src/engine/wasm-engine.js";
import type { LogFormat, TextFormat } from "../src/formats/log-format.js";
import { generateBuffer } from "../src/generate/index.js";
import { Aggregates } from "../src/report/aggregate.js";
import { type Row, toRows } from "../src/report/row.js";
import { corpusDir, scratchDir } from "./helpers/fixtures.js";

const tmp = scratchDir("lds-wasm-shards-");
const CORPUS_EVTX = corpusDir("evtx");

/** Re-lays generated JSON (records starting at column 0) out one a line, pretty-printed, or inside an indented array. */
function relayout(text: string, layout: "lines" | "pretty" | "array"): string {
  const parsed = text
    .split(/\n(?=\{)/)
    .map((r) => r.trim())
    .filter((r) => r !== "")
    .map((r) => JSON.parse(r) as unknown);
  if (layout === "lines") return `${parsed.map((r) => JSON.stringify(r)).join("\n")}\n`;
  const records = parsed.map((r) => JSON.stringify(r, null, 2));
  if (layout === "pretty") return `${records.join("\n")}\n`;
  return `[\n${records.map((r) => `  ${r.replace(/\n/g, "\n  ")}`).join(",\n")}\n]\n`;
}

async function rowsOfRanges(path: string, format: LogFormat, cuts: number[], blockBytes: number): Promise<Row[]> {
  const engine = createWasmEngine({ blockBytes });
  const agg = new Aggregates();
  const bounds = [0, ...cuts, statSync(path).size];
  for (let i = 0; i + 1 < bounds.length; i++) {
    await engine.scanFileRange?.(path, format, bounds[i] as number, bounds[i + 1] as number, (e) => agg.add(e));
  }
  return toRows(agg.entries());
}

async function referenceRows(path: string, format: LogFormat): Promise<Row[]> {
  const agg = new Aggregates();
  await referenceEngine.scanFile(path, format, (e) => agg.add(e));
  return toRows(agg.entries());
}

const CASES: [TextFormat, "lines" | "pretty" | "array"][] = [
  ["xml", "lines"],
  ["flat", "lines"],
  ["ecs", "lines"],
  ["evtxdump", "lines"],
  ["evtxdump", "pretty"],
  ["flat", "pretty"],
  ["evtxdump", "array"],
];

describe("wasm scanFileRange adds up to the whole file", () => {
  for (const [c, [format, layout]] of CASES.entries()) {
    it(`${format}, ${layout}`, async () => {
      const generated = generateBuffer({ format, size: 200_000, seed: 7 + c, hitsPerGb: 20_000 });
      const original = generated.buffer.toString("utf8");
      // The generator writes XML and flat/ECS one a line, evtx_dump pretty-printed.
      const asGenerated = format === "xml" || (layout === "lines" && format !== "evtxdump");
      const text = asGenerated ? original : relayout(original, layout);
      const path = join(tmp, `${format}-${layout}.log`);
      writeFileSync(path, text);
      const size = statSync(path).size;
      const expected = await referenceRows(path, format);
      expect(expected.reduce((n, r) => n + r.count, 0)).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: size - 1 }), { maxLength: 12 }),
          fc.constantFrom(4096, 65536, 1 << 20),
          async (cuts, blockBytes) => {
            cuts.sort((a, b) => a - b);
            expect(await rowsOfRanges(path, format, cuts, blockBytes)).toEqual(expected);
          },
        ),
        { numRuns: 25 },
      );
    }, 120_000);
  }

  it("cuts right on every sync point of a small file", async () => {
    const generated = generateBuffer({ format: "flat", size: 20_000, seed: 3, hitsPerGb: 200_000 });
    const path = join(tmp, "every-sync.jsonl");
    writeFileSync(path, generated.buffer);
    const expected = await referenceRows(path, "flat");
    const cuts: number[] = [];
    for (let i = 1; i < generated.buffer.length; i++) if (generated.buffer[i - 1] === 0x0a) cuts.push(i, i + 1);
    expect(await rowsOfRanges(path, "flat", cuts, 4096)).toEqual(expected);
  });

  it("EVTX: ranges map to chunks (corpus files, when present)", async (ctx) => {
    let files: string[] = [];
    try {
      files = readdirSync(CORPUS_EVTX).map((f) => join(CORPUS_EVTX, f));
    } catch {
      ctx.skip(`../shared/corpus/evtx is absent (${CORPUS_EVTX})`);
    }
    for (const path of files) {
      const size = statSync(path).size;
      const expected = await referenceRows(path, "evtx");
      expect(await rowsOfRanges(path, "evtx", [Math.floor(size / 3), Math.floor((2 * size) / 3)], 1 << 20)).toEqual(
        expected,
      );
    }
  });
});
