/**
 * The embedding API's streams (issue 11): createScanStream emits Hit objects and honours a
 * slow consumer's backpressure; createPrefilterStream passes on complete records and, for
 * EVTX, a valid file even when its header must leave early; damage ends a stream without
 * 'error', reported in stats().
 */

import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createPrefilterStream, createScanStream, type Hit, ScanError, scanBytes } from "../src/index.js";
import { evtxInput, pieces, textInput, textRecord } from "./helpers/embed-inputs.js";

/** XML of `n` records, every third a true positive. */
function xmlInput(n: number): Buffer {
  const records: string[] = [];
  for (let i = 0; i < n; i++) records.push(textRecord("xml", i % 3 === 0 ? "truePositive" : "background", 7 + i));
  return textInput(records, "xml", "lines");
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("createScanStream", () => {
  it("emits each hit once, in order, and stops reading input while hits wait to be read", async () => {
    // 16 MiB: hits come out each time the matcher's 4 MiB region is scanned.
    const block = xmlInput(600);
    const bytes = Buffer.concat(Array.from({ length: Math.ceil((16 << 20) / block.length) }, () => block));
    const expected = scanBytes(bytes).hits;
    expect(expected.length).toBeGreaterThan(4000);
    const parts = pieces(bytes, [2048]);
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (const part of parts) {
          pulled++;
          yield part;
        }
      })(),
    );
    const stream = createScanStream();
    source.pipe(stream);
    await tick(100);
    // Nobody reads: the source must not have been drained into memory.
    expect(pulled).toBeLessThan(parts.length / 2);
    // At most one region's hits wait (the push that went over the high-water mark).
    expect(stream.readableLength).toBeLessThan(expected.length / 2);
    const hits: Hit[] = [];
    for await (const hit of stream) hits.push(hit as Hit);
    expect(pulled).toBe(parts.length);
    expect(hits).toEqual(expected);
    expect(stream.stats().matches).toBe(expected.length);
  });

  it("ends without 'error' on damaged input, and says what in stats()", async () => {
    const gz = gzipSync(xmlInput(30));
    const stream = createScanStream();
    const hits: Hit[] = [];
    stream.on("data", (h: Hit) => hits.push(h));
    await pipeline(Readable.from([gz.subarray(0, gz.length - 40)]), stream);
    expect(stream.stats().problems).toEqual(["gzip: unexpected end of file (truncated gzip)"]);
    expect(hits.length).toBeGreaterThan(0);
  });

  it("throws ScanError for bad options before any stream exists", () => {
    expect(() => createScanStream({ format: "csv" as never })).toThrow(ScanError);
    expect(() => createPrefilterStream({ maxRecordBytes: -1 })).toThrow(ScanError);
  });
});

describe("createPrefilterStream", () => {
  it("forwards only matched records, far less than the input, honouring a slow writer", async () => {
    const bytes = xmlInput(300);
    const expected = scanBytes(bytes);
    const out: Buffer[] = [];
    const slowSink = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        setImmediate(callback);
      },
    });
    const stream = createPrefilterStream();
    await pipeline(Readable.from(pieces(bytes, [7000])), stream, slowSink);
    const output = Buffer.concat(out);
    expect(scanBytes(output).rows).toEqual(expected.rows);
    expect(output.toString().split("\n").filter(Boolean)).toHaveLength(expected.hits.length);
    expect(stream.stats().bytes).toBe(bytes.length);
  });

  it("EVTX: when held chunks pass maxRecordBytes the header leaves early, marked dirty, and the file still reads whole", async () => {
    const { bytes } = evtxInput(4, 20, (c, r) => (r === 2 && c !== 1 ? "truePositive" : "background"));
    const expected = scanBytes(bytes);
    const stream = createPrefilterStream({ maxRecordBytes: 1024 });
    const out: Buffer[] = [];
    stream.on("data", (b: Buffer) => out.push(b));
    await pipeline(Readable.from(pieces(bytes, [4096])), stream);
    const output = Buffer.concat(out);
    expect(output.length).toBe(4096 + 3 * 65536);
    const header = new DataView(output.buffer, output.byteOffset, 4096);
    expect(header.getUint32(120, true) & 1).toBe(1); // dirty: the count was not final
    expect(header.getUint16(42, true)).toBe(1);
    expect(header.getUint32(124, true)).toBe(crc32(output.subarray(0, 120)));
    expect(scanBytes(output).rows).toEqual(expected.rows);
  });

  it("a lone chunk (ElfChnk) passes on its candidate chunks without a file header", async () => {
    const { bytes } = evtxInput(2, 10, (c, r) => (c === 1 && r === 4 ? "truePositive" : "background"));
    const lone = bytes.subarray(4096);
    const stream = createPrefilterStream();
    const out: Buffer[] = [];
    stream.on("data", (b: Buffer) => out.push(b));
    await pipeline(Readable.from([lone]), stream);
    const output = Buffer.concat(out);
    expect(output.length).toBe(65536);
    expect(scanBytes(output).rows).toEqual(scanBytes(lone).rows);
  });

  it("an input with no candidates gives empty output (text) or an empty valid file (EVTX)", async () => {
    const text = createPrefilterStream();
    const textOut: Buffer[] = [];
    text.on("data", (b: Buffer) => textOut.push(b));
    await pipeline(Readable.from([Buffer.from(textRecord("ecs", "background", 3))]), text);
    expect(Buffer.concat(textOut).length).toBe(0);
    const { bytes } = evtxInput(2, 10, () => "background");
    const evtx = createPrefilterStream();
    const evtxOut: Buffer[] = [];
    evtx.on("data", (b: Buffer) => evtxOut.push(b));
    await pipeline(Readable.from([bytes]), evtx);
    const output = Buffer.concat(evtxOut);
    expect(output.length).toBe(4096);
    expect(scanBytes(output).stats.problems).toEqual([]);
  });
});
