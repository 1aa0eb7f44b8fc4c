/**
 * Properties of the embedding API under fast-check (issue 11), random piece sizes down to one
 * byte, every format:
 * - the pre-filter contract: scanning createPrefilterStream's output gives exactly the rows of
 *   scanning its input; the output is a valid input of the same format (EVTX: a file whose
 *   header counts its chunks, with a right checksum) holding only matched records;
 * - createScanner in pieces gives the rows of scan() over the same bytes as a file.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32, gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { TextFormat } from "../src/formats/log-format.js";
import { createPrefilterStream, createScanner, type Hit, scan, scanBytes } from "../src/index.js";
import { evtxInput, type Kind, pieces, TEXT_LAYOUTS, textInput, textRecord } from "./helpers/embed-inputs.js";

const TEXT_FORMATS: TextFormat[] = ["xml", "flat", "ecs", "evtxdump"];
const KINDS: Kind[] = ["background", "background", "background", "decoy", "truePositive"];
const RUNS = 25;

const arbText = fc.record({
  format: fc.constantFrom(...TEXT_FORMATS),
  layout: fc.constantFrom(...TEXT_LAYOUTS),
  records: fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.integer({ min: 1, max: 1_000_000 })), {
    minLength: 0,
    maxLength: 24,
  }),
  sizes: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 6 }),
  gzip: fc.boolean(),
});

const arbEvtx = fc.record({
  chunks: fc.integer({ min: 0, max: 4 }),
  perChunk: fc.integer({ min: 1, max: 40 }),
  kinds: fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 17 }),
  sizes: fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 6 }),
  gzip: fc.boolean(),
  /** A byte flipped somewhere after the file header (a damaged chunk), or none. */
  damage: fc.option(fc.nat(), { nil: undefined }),
});

/** `bytes` with one byte flipped at `at` past the file header (mod the chunks' length). */
function damaged(bytes: Uint8Array, at: number | undefined): Uint8Array {
  if (at === undefined || bytes.length <= 4096) return bytes;
  const out = bytes.slice();
  const i = 4096 + (at % (bytes.length - 4096));
  out[i] = (out[i] as number) ^ 0x5a;
  return out;
}

function textBytes(p: { format: TextFormat; layout: (typeof TEXT_LAYOUTS)[number]; records: [Kind, number][] }) {
  return textInput(
    p.records.map(([kind, seed]) => textRecord(p.format, kind, seed)),
    p.format,
    p.layout,
  );
}

async function prefilter(bytes: Uint8Array, sizes: readonly number[]) {
  const stream = createPrefilterStream();
  const out: Buffer[] = [];
  stream.on("data", (b: Buffer) => out.push(b));
  await pipeline(Readable.from(pieces(bytes, sizes)), stream);
  return { output: Buffer.concat(out), rows: stream.rows(), stats: stream.stats() };
}

/** createScanner over `bytes` in pieces; `flushAfter[i]`: flush() after the i-th piece (mod its length). */
function scanPieces(bytes: Uint8Array, sizes: readonly number[], flushAfter: readonly boolean[] = [], live = false) {
  const scanner = createScanner({ live });
  const hits: Hit[] = [];
  let i = 0;
  for (const piece of pieces(bytes, sizes)) {
    hits.push(...scanner.push(piece));
    if (flushAfter.length > 0 && flushAfter[i++ % flushAfter.length]) hits.push(...scanner.flush());
  }
  hits.push(...scanner.end());
  return { hits, rows: scanner.rows(), stats: scanner.stats() };
}

describe("createPrefilterStream: scanning the output gives the input's rows", () => {
  it("text formats, every layout, random pieces, plain or gzip", async () => {
    await fc.assert(
      fc.asyncProperty(arbText, async (p) => {
        const plain = textBytes(p);
        const input = p.gzip ? gzipSync(plain) : plain;
        const expected = scanBytes(plain);
        const { output, rows, stats } = await prefilter(input, p.sizes);
        expect(rows).toEqual(expected.rows);
        expect(stats.problems).toEqual(expected.stats.problems);
        const again = scanBytes(output);
        expect(again.rows).toEqual(expected.rows);
        expect(again.hits).toHaveLength(expected.hits.length);
        // Only the matched records, each whole, with a line feed.
        const records = expected.hits.map((h) => plain.subarray(h.offset, h.offset + h.length).toString("utf8"));
        expect(output.toString("utf8")).toBe(records.map((r) => `${r}\n`).join(""));
      }),
      { numRuns: RUNS },
    );
  });

  it("EVTX: the header and candidate chunks, a valid file, random pieces", async () => {
    await fc.assert(
      fc.asyncProperty(arbEvtx, async (p) => {
        const built = evtxInput(p.chunks, p.perChunk, (c, r) => p.kinds[(c * 7 + r) % p.kinds.length] as Kind);
        const plain = damaged(built.bytes, p.damage);
        const input = p.gzip ? gzipSync(plain) : plain;
        const expected = scanBytes(plain);
        const { output, rows, stats } = await prefilter(input, p.sizes);
        expect(rows).toEqual(expected.rows);
        expect(stats.problems).toEqual(expected.stats.problems);
        const again = scanBytes(output);
        expect(again.rows).toEqual(expected.rows);
        // A chunk is passed on only for a live match; one whose checksum is wrong (its records
        // still read) takes its problem along, renumbered; any other damage stays behind.
        for (const problem of again.stats.problems) expect(problem).toMatch(/checksum mismatch/);
        expect(again.stats.problems.length).toBeLessThanOrEqual(expected.stats.problems.length);
        const chunks = new Set(expected.hits.map((h) => Math.floor((h.offset - 4096) / 65536)));
        expect(output.length).toBe(4096 + chunks.size * 65536);
        const header = new DataView(output.buffer, output.byteOffset, 4096);
        expect(header.getUint16(42, true)).toBe(chunks.size);
        expect(header.getUint32(124, true)).toBe(crc32(output.subarray(0, 120)));
        expect(again.hits.map((h) => h.recordId)).toEqual(expected.hits.map((h) => h.recordId));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("createScanner in pieces gives scan()'s rows", () => {
  const dir = mkdtempSync(join(tmpdir(), "lds-embed-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  async function viaScan(bytes: Uint8Array) {
    const file = join(dir, `input-${n++}`);
    writeFileSync(file, bytes);
    const hits: Hit[] = [];
    const outcome = await scan([file], { workers: 1, onHit: (h) => hits.push(h) });
    rmSync(file);
    return { rows: outcome.rows, hits, problems: outcome.problems.map((p) => p.message) };
  }

  it("text formats", async () => {
    await fc.assert(
      fc.asyncProperty(arbText, async (p) => {
        const plain = textBytes(p);
        if (plain.length === 0 || p.records.length === 0) return;
        const input = p.gzip ? gzipSync(plain) : plain;
        const scanner = scanPieces(input, p.sizes);
        const whole = await viaScan(input);
        expect(scanner.rows).toEqual(whole.rows);
        expect(scanner.hits).toEqual(whole.hits.map(({ input: _i, member: _m, ...hit }) => hit));
      }),
      { numRuns: RUNS },
    );
  });

  it("text formats with flush() at random points: the same hits, in the same order, the same counts", async () => {
    await fc.assert(
      fc.asyncProperty(arbText, fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }), async (p, flushAfter) => {
        const plain = textBytes(p);
        const input = p.gzip ? gzipSync(plain) : plain;
        const flushed = scanPieces(input, p.sizes, flushAfter);
        const plainRun = scanPieces(input, p.sizes);
        expect(flushed.hits).toEqual(plainRun.hits);
        expect(flushed.rows).toEqual(plainRun.rows);
        expect(flushed.stats).toEqual(plainRun.stats);
        // `live: true` flushes after every push: the same again.
        const live = scanPieces(input, p.sizes, [], true);
        expect(live.hits).toEqual(plainRun.hits);
        expect(live.stats).toEqual(plainRun.stats);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("JSON fed a line at a time with live: the same hits and counts as one scan, whatever lies between records", async () => {
    // Each push ends with a line feed, so a flush may confirm a record at its line end
    // (text-searcher.ts): the bytes that come after it (`Record N` lines, commas, brackets,
    // junk, a record cut short, pretty-printed records) must not change any hit or count.
    const arbPart = fc.record({
      kind: fc.constantFrom(...KINDS),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      pretty: fc.boolean(),
      before: fc.constantFrom("", "", "\n", "Record 7\n", "[\n", "junk line\n", ",\n", "  \n"),
      after: fc.constantFrom("", "", ",", "\r", " "),
      cutShort: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<TextFormat>("flat", "ecs", "evtxdump"),
        fc.array(arbPart, { minLength: 1, maxLength: 12 }),
        async (format, parts) => {
          let text = "";
          for (const part of parts) {
            let record = textRecord(format, part.kind, part.seed);
            if (part.pretty) record = JSON.stringify(JSON.parse(record), null, 2);
            if (part.cutShort && part.kind !== "truePositive") record = record.slice(0, record.length >> 1);
            text += `${part.before}${record}${part.after}\n`;
          }
          const plain = Buffer.from(text, "utf8");
          const whole = scanBytes(plain);
          const lines = text.split(/(?<=\n)/).map((l) => Buffer.byteLength(l, "utf8"));
          const live = scanPieces(plain, lines, [], true);
          expect(live.hits).toEqual(whole.hits);
          expect(live.rows).toEqual(whole.rows);
          expect(live.stats).toEqual(whole.stats);
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });

  it("EVTX", async () => {
    await fc.assert(
      fc.asyncProperty(arbEvtx, async (p) => {
        const built = evtxInput(p.chunks, p.perChunk, (c, r) => p.kinds[(c + r) % p.kinds.length] as Kind);
        const bytes = damaged(built.bytes, p.damage);
        const scanner = scanPieces(bytes, p.sizes);
        const whole = await viaScan(bytes);
        expect(scanner.rows).toEqual(whole.rows);
        expect(scanner.hits).toEqual(whole.hits.map(({ input: _i, member: _m, ...hit }) => hit));
        expect(scanner.stats.problems).toEqual(whole.problems);
      }),
      { numRuns: RUNS },
    );
  });
});
