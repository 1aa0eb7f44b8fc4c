/**
 * Issue 5: the synthetic corpus generator. Whole corpora in every format: the same seed gives
 * the same bytes by every output route, the format detector recognizes each, every record
 * parses, the planted true positives are exactly the matches a real parser finds, and the
 * returned rows are what the reference engine prints for the same bytes.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { Engine } from "../src/engine/engine.js";
import { jsonEventFields } from "../src/formats/json-fields.js";
import { detectLogFormat, type TextFormat } from "../src/formats/log-format.js";
import { xmlEventFields } from "../src/formats/xml-fields.js";
import { generateBuffer, generateCorpus } from "../src/generate/corpus.js";
import { GENERATED_FORMATS } from "../src/generate/renderers.js";
import { Aggregates } from "../src/report/aggregate.js";
import { toRows } from "../src/report/row.js";
import { type EventFields, matchEvent } from "../src/rule/rule.js";
import { normalizeTime } from "../src/rule/time.js";
import { CORPUS, HAVE_CORPUS, tempDir } from "./helpers/cli.js";

const MIB = 2 ** 20;
/** Dense enough that a 1 MiB corpus holds a few dozen true positives. */
const DENSE = 40_000;

/** Splits a generated corpus into its records' texts (independently of the engines' splitters). */
function recordsOf(buffer: Buffer, format: TextFormat): string[] {
  const text = buffer.toString("utf8");
  if (format === "evtxdump") return text.split(/\n(?=\{)/).map((r) => r.trimEnd());
  return text.split("\n").filter((line) => line !== "");
}

/** The oracle's fields for one record (the reference engine's parsers). */
function oracleFields(record: string, format: TextFormat): EventFields | undefined {
  if (format === "xml") return xmlEventFields(Buffer.from(record, "utf8"));
  return jsonEventFields(JSON.parse(record));
}

describe.each(GENERATED_FORMATS)("generated %s corpus", (format) => {
  const corpus = generateBuffer({ format, size: MIB, seed: 42, hitsPerGb: DENSE });

  it("is the same for the same seed, and different for another seed", () => {
    const again = generateBuffer({ format, size: MIB, seed: 42, hitsPerGb: DENSE });
    expect(again.buffer.equals(corpus.buffer)).toBe(true);
    expect(again.rows).toEqual(corpus.rows);
    const other = generateBuffer({ format, size: MIB, seed: 43, hitsPerGb: DENSE });
    expect(other.buffer.equals(corpus.buffer)).toBe(false);
  });

  it("stops at the first record boundary at or past the size", () => {
    const records = recordsOf(corpus.buffer, format);
    expect(corpus.bytes).toBe(corpus.buffer.length);
    expect(corpus.bytes).toBeGreaterThanOrEqual(MIB);
    const last = Buffer.byteLength(records[records.length - 1] ?? "", "utf8") + 1;
    expect(corpus.bytes - last).toBeLessThan(MIB);
    expect(corpus.buffer[corpus.buffer.length - 1]).toBe(0x0a);
    expect(records.length).toBe(corpus.events);
  });

  it("is recognized as its own format from its first bytes", () => {
    expect(detectLogFormat(corpus.buffer.subarray(0, 64 * 1024))).toBe(format);
    // Every seed, not only this one: the first record decides the JSON flavour.
    for (let seed = 0; seed < 5; seed++) {
      const small = generateBuffer({ format, size: 4096, seed, hitsPerGb: 0 });
      expect(detectLogFormat(small.buffer)).toBe(format);
    }
  });

  it("writes records that parse, one event each", () => {
    for (const record of recordsOf(corpus.buffer, format)) {
      if (format === "xml") {
        expect(record.startsWith("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>")).toBe(true);
        expect(XMLValidator.validate(record)).toBe(true);
      } else {
        expect(() => JSON.parse(record)).not.toThrow();
      }
    }
  });

  it("plants exactly `hits` matches, and returns their rows", () => {
    const aggregates = new Aggregates();
    let matches = 0;
    for (const record of recordsOf(corpus.buffer, format)) {
      const fields = oracleFields(record, format);
      expect(fields).toBeDefined();
      const match = matchEvent(fields as EventFields, normalizeTime);
      if (match !== null) {
        matches++;
        aggregates.add(match);
      }
    }
    expect(corpus.hits).toBeGreaterThan(10);
    expect(matches).toBe(corpus.hits);
    expect(toRows(aggregates.entries())).toEqual(corpus.rows);
  });

  it("plants nothing that matches when hitsPerGb is 0, decoys included", () => {
    const clean = generateBuffer({ format, size: 4 * MIB, seed: 7, hitsPerGb: 0 });
    expect(clean.hits).toBe(0);
    expect(clean.rows).toEqual([]);
    let decoyish = 0;
    for (const record of recordsOf(clean.buffer, format)) {
      expect(matchEvent(oracleFields(record, format) as EventFields, normalizeTime)).toBeNull();
      if (/taskmgr/i.test(record) && /lsass/i.test(record)) decoyish++;
    }
    // The decoys that carry both words are really there.
    expect(decoyish).toBeGreaterThan(0);
  });

  it("looks like a real log: EID 10 leads the mix, lsass.exe in a few percent, times move forward", () => {
    const records = recordsOf(generateBuffer({ format, size: 2 * MIB, seed: 8, hitsPerGb: 0 }).buffer, format);
    const ids = new Map<string, number>();
    let lsass = 0;
    let previous = "";
    let backwards = 0;
    for (const record of records) {
      const fields = oracleFields(record, format) as EventFields;
      const id = String(fields.eventId);
      ids.set(id, (ids.get(id) ?? 0) + 1);
      if (/lsass/i.test(record)) lsass++;
      const time = normalizeTime(fields.time);
      if (time === "") continue; // the older flat export has no time the rule reads
      if (time < previous) backwards++;
      previous = time;
    }
    const ranked = [...ids.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    expect(ranked[0]).toBe("10");
    for (const id of ["1", "3", "7", "11", "12", "13", "22"]) expect(ids.get(id) ?? 0).toBeGreaterThan(0);
    expect(lsass / records.length).toBeGreaterThan(0.03);
    expect(lsass / records.length).toBeLessThan(0.2);
    // Sysmon's UtcTime (flat) is cut to milliseconds, so equal neighbours happen; going back never does.
    expect(backwards).toBe(0);
  });
});

describe("output routes", () => {
  it("a file, a stream and memory get the same bytes and rows", async () => {
    const options = { format: "flat" as const, size: 3 * MIB, seed: 5, hitsPerGb: DENSE };
    const expected = generateBuffer(options);
    const path = join(tempDir(), "corpus.jsonl");
    const toFile = await generateCorpus({ ...options, out: path });
    expect(readFileSync(path).equals(expected.buffer)).toBe(true);
    expect(toFile.rows).toEqual(expected.rows);
    expect(toFile.bytes).toBe(expected.bytes);

    const stream = new PassThrough();
    const pieces: Buffer[] = [];
    stream.on("data", (b: Buffer) => pieces.push(b));
    const toStream = await generateCorpus({ ...options, out: stream });
    stream.end();
    expect(Buffer.concat(pieces).equals(expected.buffer)).toBe(true);
    expect(toStream.hits).toBe(expected.hits);

    const inMemory = await generateCorpus({ ...options, out: "buffer" });
    expect(inMemory.buffer?.equals(expected.buffer)).toBe(true);
  });

  it("rejects options that make no sense", () => {
    expect(() => generateBuffer({ format: "evtx" as TextFormat, size: 10, seed: 1, hitsPerGb: 0 })).toThrow(RangeError);
    expect(() => generateBuffer({ format: "xml", size: -1, seed: 1, hitsPerGb: 0 })).toThrow(RangeError);
    expect(() => generateBuffer({ format: "xml", size: 10, seed: 1, hitsPerGb: -1 })).toThrow(RangeError);
  });
});

const REFERENCE_ENGINE = new URL("../src/engine/reference-engine.ts", import.meta.url);

describe.skipIf(!existsSync(REFERENCE_ENGINE))("expected rows against the reference engine", () => {
  it.each(GENERATED_FORMATS)(
    "%s: scanning the corpus in odd-sized chunks gives the generator's rows",
    async (format) => {
      const { referenceEngine } = (await import(REFERENCE_ENGINE.href)) as { referenceEngine: Engine };
      const corpus = generateBuffer({ format, size: 2 * MIB, seed: 9, hitsPerGb: DENSE });
      async function* chunks(): AsyncIterable<Uint8Array> {
        for (let at = 0; at < corpus.buffer.length; at += 65_537) yield corpus.buffer.subarray(at, at + 65_537);
      }
      const aggregates = new Aggregates();
      const stats = await referenceEngine.scanStream(chunks(), format, (m) => aggregates.add(m));
      expect(stats.malformedRecords).toBe(0);
      expect(stats.recordsExamined).toBe(corpus.events);
      expect(stats.matches).toBe(corpus.hits);
      expect(toRows(aggregates.entries())).toEqual(corpus.rows);
    },
  );
});

describe.skipIf(!HAVE_CORPUS)("shape of the real corpus (../shared/corpus)", () => {
  it("xml: the System element has the same children, in order, as the corpus's records", () => {
    const real = readFileSync(join(CORPUS, "xml", "DERIVED_mdec_ID11_lsass_dump_via_taskmgr.xml.log"), "utf8");
    const generated = generateBuffer({ format: "xml", size: 64 * 1024, seed: 1, hitsPerGb: 0 }).buffer.toString("utf8");
    const systemTags = (line: string): string =>
      [...(/<System>(.*)<\/System>/.exec(line)?.[1] ?? "").matchAll(/<(\w+)[ />]/g)].map((m) => m[1]).join(",");
    const firstLine = generated.slice(0, generated.indexOf("\n"));
    expect(systemTags(firstLine)).toBe(systemTags(real));
  });

  it("flat: a generated FileCreate carries every key of the corpus's NXLog FileCreate records", () => {
    const lines = readFileSync(join(CORPUS, "jsonl", "otrf_rdp_interactive_taskmanager_lsass_dump.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.includes('"EventID":11,'));
    const realKeys = new Set(Object.keys(JSON.parse(lines[0] as string) as object));
    realKeys.delete("tags"); // the OTRF dataset's own label
    const generated = recordsOf(generateBuffer({ format: "flat", size: MIB, seed: 3, hitsPerGb: 0 }).buffer, "flat")
      .map((r) => JSON.parse(r) as Record<string, unknown>)
      .find((r) => r.EventID === 11 && "RecordNumber" in r && "UtcTime" in r && "Hostname" in r && "SourceName" in r);
    expect(generated).toBeDefined();
    for (const key of realKeys) expect(Object.keys(generated as object)).toContain(key);
  });

  it("evtxdump: a generated FileCreate has the corpus's structure, key for key", () => {
    const real = JSON.parse(
      readFileSync(join(CORPUS, "json-evtxdump", "sigmahq_file_event_win_dump_file_susp_creation.json"), "utf8"),
    ) as unknown;
    const shape = (v: unknown, path = ""): string[] =>
      typeof v === "object" && v !== null
        ? Object.entries(v).flatMap(([k, x]) => [`${path}/${k}`, ...shape(x, `${path}/${k}`)])
        : [];
    const generated = recordsOf(
      generateBuffer({ format: "evtxdump", size: MIB, seed: 3, hitsPerGb: 0 }).buffer,
      "evtxdump",
    )
      .map((r) => JSON.parse(r) as { Event: { System: { EventID: unknown } } })
      .find((r) => r.Event.System.EventID === 11 && JSON.stringify(r).includes('"Provider"'));
    expect(shape(generated)).toEqual(shape(real));
  });
});
