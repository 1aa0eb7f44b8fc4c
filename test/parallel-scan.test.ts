/**
 * Issue 4: the pool gives the same rows as one thread whatever the worker count, shard size and
 * input order — every record counted once, by the shard it starts in — on generated data of
 * every format (and EVTX from the corpus when it is there), many small files and archives.
 */

import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { EngineName } from "../src/engine/engine.js";
import { referenceEngine } from "../src/engine/reference-engine.js";
import type { TextFormat } from "../src/formats/log-format.js";
import { generateBuffer } from "../src/generate/corpus.js";
import type { PoolStart } from "../src/pool/dispatcher.js";
import { scanParallel } from "../src/pool/parallel-scan.js";
import { toRows } from "../src/report/row.js";
import { scanInputs } from "../src/scan/scan.js";
import { CORPUS, HAVE_CORPUS, tempDir } from "./helpers/cli.js";
import { makeZip } from "./helpers/inputs-fixtures.js";

const FORMATS: TextFormat[] = ["xml", "flat", "ecs", "evtxdump"];
const ENGINES: EngineName[] = ["wasm", "reference"];
const dir = tempDir();
const files: string[] = [];

beforeAll(() => {
  FORMATS.forEach((format, i) => {
    // ~1.5 MiB each with dense hits so that many shards hold a match.
    const { buffer } = generateBuffer({ format, size: 1536 * 1024, seed: 40 + i, hitsPerGb: 20_000 });
    const path = join(dir, `big-${format}.log`);
    writeFileSync(path, buffer);
    files.push(path);
  });
  const small = generateBuffer({ format: "flat", size: 256 * 1024, seed: 7, hitsPerGb: 50_000 }).buffer;
  const smallDir = join(dir, "small");
  // 40 small files, cut at record boundaries
  const lines = small.toString("utf8").split("\n");
  mkdirSync(smallDir);
  for (let i = 0; i < 40; i++) {
    writeFileSync(
      join(smallDir, `part-${String(i).padStart(2, "0")}.json`),
      lines.filter((_, j) => j % 40 === i).join("\n"),
    );
  }
  writeFileSync(join(dir, "packed.json.gz"), gzipSync(small));
  // The same parts in a zip (one of them gzipped inside it): shared by stripes when a shard is smaller.
  const members = lines.map((_, i) => i).filter((i) => i < 40);
  const zip = makeZip(
    members.map((i) => {
      const data = lines.filter((_, j) => j % 40 === i).join("\n");
      return i === 7 ? { name: `part-${i}.json.gz`, data: gzipSync(data) } : { name: `part-${i}.json`, data };
    }),
  );
  writeFileSync(join(dir, "packed.zip"), zip);
  files.push(smallDir, join(dir, "packed.json.gz"), join(dir, "packed.zip"));
});

async function oneThreadRows(inputs: string[]): Promise<string> {
  const r = await scanInputs(inputs, { engine: referenceEngine });
  expect(r.problems).toEqual([]);
  return JSON.stringify(toRows(r.aggregates.entries()));
}

describe.each(ENGINES)("scanParallel (%s engine) equals one thread", (engine) => {
  it("with random worker counts, shard sizes and input orders", async () => {
    const expected = await oneThreadRows(files);
    expect(JSON.parse(expected).length).toBeGreaterThan(5);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 4096, max: 2 * 1024 * 1024 }),
        fc.shuffledSubarray(files, { minLength: files.length, maxLength: files.length }),
        // "always": the pool starts on these small inputs too, so its path is exercised.
        fc.constantFrom<PoolStart>("always", "when-it-pays"),
        async (workers, shardSize, order, poolStart) => {
          const r = await scanParallel(order, { engine, workers, shardSize, poolStart });
          expect(r.problems).toEqual([]);
          expect(JSON.stringify(toRows(r.aggregates.entries()))).toBe(expected);
        },
      ),
      { numRuns: 6 },
    );
  });

  it("a zip shared by stripes: the one task's rows, events, member names, counts, and its warning and problem once", async () => {
    const lines = generateBuffer({ format: "flat", size: 200 * 1024, seed: 9, hitsPerGb: 80_000 })
      .buffer.toString("utf8")
      .split("\n");
    const parts = Array.from({ length: 30 }, (_, i) => ({
      name: `logs/p${i}.json`,
      data: lines.filter((_, j) => j % 30 === i).join("\n"),
    }));
    // Bytes after the end record (a warning), and a member whose local header is damaged (a problem).
    const zip = Buffer.concat([makeZip([...parts, { name: "bad.json", data: "{}" }]), Buffer.from("\n")]);
    zip[zip.lastIndexOf(Buffer.from("PK\x03\x04", "latin1"))] = 0x51;
    const path = join(dir, "striped.zip");
    writeFileSync(path, zip);
    const run = async (shardSize: number) => {
      const hits: string[] = [];
      const r = await scanParallel([path], {
        engine,
        workers: 2,
        shardSize,
        poolStart: "always",
        onHit: (h) => hits.push(`${h.input} ${h.member} ${h.offset} ${h.length}`),
      });
      return {
        rows: JSON.stringify(toRows(r.aggregates.entries())),
        hits: hits.sort(),
        inputs: r.inputsScanned,
        problems: r.problems.map((p) => `${p.input}: ${p.message}`),
        warnings: r.warnings.map((w) => `${w.input}: ${w.message}`),
      };
    };
    const whole = await run(64 * 1024 * 1024);
    expect(whole.inputs).toBe(30);
    expect(whole.hits.length).toBeGreaterThan(10);
    expect(whole.problems).toHaveLength(1);
    expect(whole.warnings).toHaveLength(1);
    for (const shardSize of [4096, 8192, 20_000]) expect(await run(shardSize)).toEqual(whole);
  });

  it.skipIf(!HAVE_CORPUS)("on the corpus EVTX files with 4 KiB shards", async () => {
    const evtx = readdirSync(join(CORPUS, "evtx")).map((f) => join(CORPUS, "evtx", f));
    const expected = await oneThreadRows(evtx);
    const r = await scanParallel(evtx, { engine, workers: 2, shardSize: 4096, poolStart: "always" });
    expect(JSON.stringify(toRows(r.aggregates.entries()))).toBe(expected);
  });
});
