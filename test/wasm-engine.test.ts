/**
 * The wasm engine against the reference engine, rows compared through Aggregates + toRows:
 * on every seed of the edge-case table (both builds, block sizes down to 24 bytes so every
 * boundary and the slow path for records longer than a block are taken, streams cut in 7-byte
 * chunks, files read straight into wasm memory), and on the real files in ../shared/corpus
 * (text, and EVTX, which the engine hands to the EVTX module) when that folder is there.
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Engine } from "../src/engine/engine.js";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { createWasmEngine } from "../src/engine/wasm-engine.js";
import { detectLogFormat, type LogFormat } from "../src/formats/log-format.js";
import { Aggregates } from "../src/report/aggregate.js";
import { type Row, toRows } from "../src/report/row.js";
import { loadMatcherModule, type MatcherBuild } from "../src/wasm/module.js";
import { CORPUS, scratchDir } from "./helpers/fixtures.js";
import { type ExpectedRow, SEEDS } from "./helpers/seed-table.js";

const BUILDS: MatcherBuild[] = ["release", "debug"];
const BLOCKS = [24, 333, 4096, 1 << 20];
const tmp = scratchDir("lds-wasm-engine-");

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function rowsOfStream(engine: Engine, bytes: Uint8Array, format: LogFormat, chunk: number): Promise<Row[]> {
  const agg = new Aggregates();
  await engine.scanStream(chunksOf(bytes, chunk), format, (e) => agg.add(e));
  return toRows(agg.entries());
}

async function rowsOfFile(engine: Engine, path: string, format: LogFormat): Promise<Row[]> {
  const agg = new Aggregates();
  await engine.scanFile(path, format, (e) => agg.add(e));
  return toRows(agg.entries());
}

function summary(rows: Row[]): ExpectedRow[] {
  return rows.map((r) => [r.dest, r.process_name, r.TargetFilename, r.count, r.firstTime, r.lastTime]);
}

describe.each(BUILDS)("wasm engine on the seed table (%s build)", (build) => {
  const engines = BLOCKS.map((blockBytes) => createWasmEngine({ module: loadMatcherModule(build), blockBytes }));
  for (const [s, seed] of SEEDS.entries()) {
    it(seed.name, async () => {
      const bytes = Buffer.from(seed.content);
      const expected = await rowsOfStream(referenceEngine, bytes, seed.format, bytes.length);
      expect(summary(expected)).toEqual(seed.rows);
      const path = join(tmp, `seed-${build}-${s}`);
      writeFileSync(path, bytes);
      for (const [b, engine] of engines.entries()) {
        const label = `block ${BLOCKS[b]}`;
        expect(await rowsOfStream(engine, bytes, seed.format, bytes.length + 1), label).toEqual(expected);
        expect(await rowsOfStream(engine, bytes, seed.format, 7), `${label}, 7-byte chunks`).toEqual(expected);
        expect(await rowsOfFile(engine, path, seed.format), `${label}, file`).toEqual(expected);
      }
    });
  }
});

describe("wasm engine on the shared corpus", () => {
  const dirs = ["xml", "jsonl", "json-evtxdump", "evtx"];
  const present = existsSync(CORPUS);
  if (!present) {
    it.skip(`../shared/corpus is absent: corpus comparison skipped (${CORPUS})`, () => {});
    return;
  }
  const files = dirs.flatMap((d) =>
    existsSync(join(CORPUS, d)) ? readdirSync(join(CORPUS, d)).map((f) => join(CORPUS, d, f)) : [],
  );
  for (const build of BUILDS) {
    const engines = [1 << 16, 1 << 22].map((blockBytes) =>
      createWasmEngine({ module: loadMatcherModule(build), blockBytes }),
    );
    for (const file of files) {
      it(`${build}: ${file.slice(CORPUS.length + 1)}`, async () => {
        const bytes = readFileSync(file);
        const format = detectLogFormat(bytes.subarray(0, 65536));
        expect(format).toBeDefined();
        if (format === undefined) return;
        const expected = await rowsOfFile(referenceEngine, file, format);
        for (const engine of engines) {
          expect(await rowsOfFile(engine, file, format)).toEqual(expected);
          expect(await rowsOfStream(engine, bytes, format, 100_003)).toEqual(expected);
        }
      });
    }
  }
});

describe("wasm engine errors", () => {
  const engine = createWasmEngine({ blockBytes: 4096 });

  it("reports an unreadable input as ScanError LDS_E_INPUT_UNREADABLE, naming it", async () => {
    const missing = join(tmp, "does-not-exist.jsonl");
    await expect(engine.scanFile(missing, "flat", () => {})).rejects.toMatchObject({
      code: "LDS_E_INPUT_UNREADABLE",
      input: missing,
    });
    await expect(engine.scanFileRange?.(missing, "xml", 0, 10, () => {})).rejects.toMatchObject({
      code: "LDS_E_INPUT_UNREADABLE",
    });
  });

  it("lets an error thrown by onMatch through unchanged", async () => {
    const seed = SEEDS.find((s) => s.rows.length > 0 && s.format === "flat");
    expect(seed).toBeDefined();
    const path = join(tmp, "throws.jsonl");
    writeFileSync(path, Buffer.from(seed?.content ?? ""));
    const boom = new Error("sink failed");
    await expect(
      engine.scanFile(path, "flat", () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});
