/**
 * createScanner, scanBytes and matchRecord (issue 11): every true positive found once whatever
 * the piece size (7-byte pieces of XML, 4 KiB pieces of EVTX, single bytes), with a byte range
 * that holds exactly its record; gzip inflated inside; bad options throw ScanError at once;
 * damage lands in stats() and never throws.
 */

import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ScanError } from "../src/errors.js";
import { xmlEventFields } from "../src/formats/xml-fields.js";
import {
  createPrefilterStream,
  createScanner,
  type Hit,
  matchRecord,
  type ScannerOptions,
  scanBytes,
} from "../src/index.js";
import { evtxInput, pieces, textInput, textRecord } from "./helpers/embed-inputs.js";
import { ecsRecord, evtxDumpRecord, flatRecord, TRUE_POSITIVE, xmlEvent } from "./helpers/seed-events.js";

function scanInPieces(bytes: Uint8Array, size: number, options?: ScannerOptions) {
  const scanner = createScanner(options);
  const hits: Hit[] = [];
  for (const piece of pieces(bytes, [size])) hits.push(...scanner.push(piece));
  hits.push(...scanner.end());
  return { hits, rows: scanner.rows(), stats: scanner.stats(), format: scanner.format };
}

/** XML with true positives among background records and decoys. */
function xmlWithHits(): { bytes: Buffer; truePositives: number } {
  const records: string[] = [];
  let truePositives = 0;
  for (let i = 0; i < 60; i++) {
    const kind = i % 10 === 3 ? "truePositive" : i % 10 === 7 ? "decoy" : "background";
    if (kind === "truePositive") truePositives++;
    records.push(textRecord("xml", kind, 1000 + i));
  }
  return { bytes: textInput(records, "xml", "lines"), truePositives };
}

describe("createScanner: any piece size", () => {
  it("7-byte pieces of XML find each true positive once, with a byte range holding the record", () => {
    const { bytes, truePositives } = xmlWithHits();
    const whole = scanBytes(bytes);
    expect(whole.hits).toHaveLength(truePositives);
    const { hits, rows, format } = scanInPieces(bytes, 7);
    expect(format).toBe("xml");
    expect(hits).toEqual(whole.hits);
    expect(rows).toEqual(whole.rows);
    const offsets = new Set(hits.map((h) => h.offset));
    expect(offsets.size).toBe(truePositives);
    for (const hit of hits) {
      const record = bytes.subarray(hit.offset, hit.offset + hit.length).toString("utf8");
      expect(record.startsWith("<Event")).toBe(true);
      expect(record.endsWith("</Event>")).toBe(true);
      const { offset: _o, length: _l, ...event } = hit;
      expect(matchRecord(record)).toEqual(event);
      expect(xmlEventFields(Buffer.from(record))?.targetFilename).toBe(hit.targetFilename);
    }
  });

  it("4 KiB pieces of EVTX find each true positive once, with the record's range and EventRecordID", () => {
    const { bytes, truePositives } = evtxInput(3, 30, (_c, r) =>
      r % 9 === 4 ? "truePositive" : r % 9 === 6 ? "decoy" : "background",
    );
    const { hits, stats, format } = scanInPieces(bytes, 4096);
    expect(format).toBe("evtx");
    expect(stats.problems).toEqual([]);
    expect(stats.bytes).toBe(bytes.length);
    expect(hits).toHaveLength(truePositives);
    expect(new Set(hits.map((h) => h.offset)).size).toBe(truePositives);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const hit of hits) {
      expect(view.getUint32(hit.offset, true)).toBe(0x2a2a); // record magic
      expect(view.getUint32(hit.offset + 4, true)).toBe(hit.length); // size
      expect(view.getUint32(hit.offset + hit.length - 4, true)).toBe(hit.length); // size copy
      expect(Number(view.getBigUint64(hit.offset + 8, true))).toBe(hit.recordId);
      expect(hit.targetFilename).toBe(`C:\\Users\\u${hit.recordId}\\AppData\\Local\\Temp\\lsass (${hit.recordId}).DMP`);
    }
    expect(scanInPieces(bytes, 1).hits).toEqual(hits);
    expect(scanInPieces(bytes, 65536 + 13).hits).toEqual(hits);
  });

  it("single-byte pieces of every JSON layout give the whole-buffer hits", () => {
    for (const [format, make] of [
      ["flat", flatRecord],
      ["ecs", ecsRecord],
      ["evtxdump", evtxDumpRecord],
    ] as const) {
      const records = [make({ ...TRUE_POSITIVE, computer: "A" }), make({ ...TRUE_POSITIVE, computer: "B" })];
      for (const layout of ["lines", "pretty", "wrapped"] as const) {
        const bytes = textInput(records, format, layout);
        const { hits, format: detected } = scanInPieces(bytes, 1);
        expect(detected).toBe(format);
        expect(hits.map((h) => h.dest)).toEqual(["A", "B"]);
        for (const hit of hits) {
          const record = bytes.subarray(hit.offset, hit.offset + hit.length).toString("utf8");
          expect(JSON.parse(record)).toBeTypeOf("object");
        }
      }
    }
  });
});

describe("createScanner: gzip and formats", () => {
  it("inflates gzip inside (several members back to back), offsets in the inflated bytes", () => {
    const { bytes } = xmlWithHits();
    const half = bytes.length >> 1;
    const gz = Buffer.concat([gzipSync(bytes.subarray(0, half)), gzipSync(bytes.subarray(half))]);
    const plain = scanBytes(bytes);
    expect(scanInPieces(gz, 7).hits).toEqual(plain.hits);
    expect(scanBytes(gz).rows).toEqual(plain.rows);
  });

  it("reports a truncated gzip in stats() and keeps the hits before the cut", () => {
    const { bytes } = xmlWithHits();
    const gz = gzipSync(bytes);
    const cut = scanInPieces(gz.subarray(0, gz.length - 20), 100);
    expect(cut.stats.problems).toEqual(["gzip: unexpected end of file (truncated gzip)"]);
    expect(cut.hits.length).toBeGreaterThan(0);
  });

  it("options.format forces the format; an unknown input is a problem, not an exception", () => {
    const xml = Buffer.from(xmlEvent(TRUE_POSITIVE));
    expect(scanBytes(Buffer.concat([Buffer.from("junk before\n"), xml]), { format: "xml" }).hits).toHaveLength(1);
    const unknown = scanBytes(Buffer.from("just some text\n"));
    expect(unknown.hits).toEqual([]);
    expect(unknown.stats.problems[0]).toMatch(/^unknown format/);
    const notEvtx = scanBytes(xml, { format: "evtx" });
    expect(notEvtx.stats.problems).toEqual(["not an EVTX file (no ElfFile or ElfChnk magic)"]);
  });

  it("reports a damaged EVTX chunk and goes on with the next", () => {
    const { bytes } = evtxInput(2, 10, (_c, r) => (r === 3 ? "truePositive" : "background"));
    const damaged = bytes.slice();
    damaged[4096 + 3] = (damaged[4096 + 3] as number) ^ 0xff; // first chunk's magic
    const result = scanInPieces(damaged, 4096);
    expect(result.stats.problems).toEqual(["chunk 0 at offset 4096: bad chunk magic; chunk skipped"]);
    expect(result.hits).toHaveLength(1);
  });

  it("maxRecordBytes: a longer record is reported, not held", () => {
    const long = flatRecord({ ...TRUE_POSITIVE, user: "x".repeat(300_000) });
    const bytes = Buffer.from(`${flatRecord(TRUE_POSITIVE)}\n${long}\n`);
    const result = scanBytes(bytes, { maxRecordBytes: 100_000 });
    expect(result.hits).toHaveLength(1);
    expect(result.stats.problems).toEqual([
      `a record longer than 100000 bytes at byte ${bytes.indexOf("\n") + 1} was skipped: its fields cannot be checked`,
    ]);
    expect(scanBytes(bytes).hits).toHaveLength(2);
  });
});

describe("embedding API: bad use throws ScanError at once", () => {
  it.each([
    [{ format: "yaml" }, /format must be one of/],
    [{ maxRecordBytes: 0 }, /maxRecordBytes/],
    [{ maxRecordBytes: 1000 }, /at least 1024/],
    [{ maxRecordBytes: 1.5 }, /maxRecordBytes/],
    [{ carve: "yes" }, /carve must be a boolean/],
    [{ fromat: "xml" }, /unknown option "fromat"/],
    ["xml", /options must be an object/],
    [{ wasmModule: {} }, /wasmModule must be a WebAssembly.Module/],
    // A valid module that is not the matcher: refused here, not at the first bytes pushed.
    [{ wasmModule: new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])) }, /not the matcher/],
  ])("createScanner(%j)", (options, message) => {
    const call = () => createScanner(options as ScannerOptions);
    expect(call).toThrow(ScanError);
    expect(call).toThrow(message);
    try {
      call();
    } catch (err) {
      expect((err as ScanError).code).toBe("LDS_E_USAGE");
    }
  });

  it("push after end and non-bytes throw", () => {
    const scanner = createScanner();
    expect(() => scanner.push("text" as unknown as Uint8Array)).toThrow(ScanError);
    scanner.end();
    expect(scanner.end()).toEqual([]);
    expect(() => scanner.push(new Uint8Array(1))).toThrow(/after end/);
  });
});

describe("matchRecord", () => {
  const expected = {
    dest: TRUE_POSITIVE.computer,
    processName: "Taskmgr.exe",
    targetFilename: TRUE_POSITIVE.targetFilename,
    time: "2024-03-05T10:11:12.123456700",
  };

  it("judges XML and every JSON layout, as text, bytes or a parsed object", () => {
    const xml = xmlEvent(TRUE_POSITIVE);
    expect(matchRecord(xml)).toEqual(expected);
    expect(matchRecord(Buffer.from(xml))).toEqual(expected);
    for (const json of [ecsRecord(TRUE_POSITIVE), evtxDumpRecord(TRUE_POSITIVE)]) {
      expect(matchRecord(json)).toEqual(expected);
      expect(matchRecord(JSON.parse(json) as object)).toEqual(expected);
      expect(matchRecord(new TextEncoder().encode(json))).toEqual(expected);
    }
    expect(matchRecord(flatRecord(TRUE_POSITIVE))?.dest).toBe(TRUE_POSITIVE.computer);
  });

  it("returns null for records that do not match or do not parse", () => {
    expect(matchRecord(xmlEvent({ ...TRUE_POSITIVE, image: "C:\\procdump.exe" }))).toBeNull();
    expect(matchRecord(ecsRecord({ ...TRUE_POSITIVE, eventId: 10 }))).toBeNull();
    expect(matchRecord("{not json .dmp")).toBeNull();
    expect(matchRecord("")).toBeNull();
    expect(matchRecord({ Event: "x" })).toBeNull();
  });

  it("finds a match spelled with escapes and entities", () => {
    const escaped = ecsRecord(TRUE_POSITIVE).replace(".DMP", "\\u002eDMP");
    expect(matchRecord(escaped)).toEqual(expected);
    const entity = xmlEvent(TRUE_POSITIVE).replace(".DMP", "&#46;DMP");
    expect(matchRecord(entity)).toEqual(expected);
  });

  it("throws ScanError for a value of the wrong type", () => {
    expect(() => matchRecord(42 as unknown as string)).toThrow(ScanError);
  });
});

describe("createScanner: the caller's buffer", () => {
  it("may be reused after push (plain and gzip): the scanner keeps copies of what it holds", () => {
    const { bytes } = xmlWithHits();
    for (const input of [bytes, gzipSync(bytes)]) {
      const scanner = createScanner();
      const reused = new Uint8Array(5);
      const hits: Hit[] = [];
      for (let at = 0; at < input.length; at += 5) {
        const piece = input.subarray(at, at + 5);
        reused.set(piece);
        hits.push(...scanner.push(reused.subarray(0, piece.length)));
        reused.fill(0x41); // the caller overwrites its buffer at once
      }
      hits.push(...scanner.end());
      expect(hits).toEqual(scanBytes(bytes).hits);
    }
  });
});

describe("createScanner: input of no format we read says what it looks like", () => {
  it.each([
    [
      [0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0],
      "unknown format: a zip archive (this API reads one log, plain or gzip: unpack it, or give its path to scan())",
    ],
    [
      [...Buffer.from("BZh91AY&SY"), 0, 0],
      "unknown format: bzip2-compressed data (this API reads one log, plain or gzip: unpack it, or give its path to scan())",
    ],
    [
      [...Buffer.from("\x89PNG\r\n\x1a\n0000", "latin1")],
      /^unknown format: PNG image; not Windows event XML, .* \(force one with the format option\)$/,
    ],
    [[...Buffer.from("host,time,user\nWS01,10:00,alice\n")], /^unknown format: CSV text; not /],
  ])("%j", (bytes, problem) => {
    const { stats, hits } = scanBytes(new Uint8Array(bytes));
    expect(hits).toEqual([]);
    expect(stats.problems).toHaveLength(1);
    if (typeof problem === "string") expect(stats.problems[0]).toBe(problem);
    else expect(stats.problems[0]).toMatch(problem);
  });
});

describe("createScanner: damaged records and stats()", () => {
  it("counts damaged records that could have held a match, and stats() is a copy the caller may change", () => {
    const good = flatRecord({ ...TRUE_POSITIVE, computer: "WS-A" });
    const cut = flatRecord({ ...TRUE_POSITIVE, computer: "WS-cut" }).replace("System32", "\0".repeat(8));
    const text = `${good}\n${cut}\n${good}\n${cut}\n`;
    const scanner = createScanner();
    scanner.push(Buffer.from(text));
    scanner.end();
    const first = scanner.stats();
    expect(first.malformedRecords).toBe(2);
    expect(first.malformedOffsets).toEqual([good.length + 1, 2 * (good.length + 1) + cut.length + 1]);
    first.malformedOffsets.length = 0;
    first.problems.push("caller's note");
    expect(scanner.stats().malformedOffsets).toHaveLength(2);
    expect(scanner.stats().problems).toEqual([]);
    expect(scanner.rows().map((r) => [r.dest, r.count])).toEqual([["WS-A", 2]]);
  });
});

describe("createScanner: which push returns a hit (README, Embedding: Hit)", () => {
  /** Each hit with the number of bytes pushed when it came back (Infinity: from end()). */
  function arrivals(bytes: Uint8Array, size: number): { hit: Hit; pushed: number }[] {
    const scanner = createScanner();
    const out: { hit: Hit; pushed: number }[] = [];
    let pushed = 0;
    for (const piece of pieces(bytes, [size])) {
      pushed += piece.length;
      for (const hit of scanner.push(piece)) out.push({ hit, pushed });
    }
    for (const hit of scanner.end()) out.push({ hit, pushed: Number.POSITIVE_INFINITY });
    return out;
  }

  const BLOCK = 4 * 1024 * 1024;

  it("text: searched in 4 MiB blocks, so a hit comes at the latest from the push that fills its block, and a short input's from end()", () => {
    const hit = textRecord("flat", "truePositive", 7);
    const background = Array.from({ length: 40 }, (_, i) => textRecord("flat", "background", 100 + i));
    // A short input: the hit waits for end(), which is why the README's loop takes end()'s hits too.
    const short = arrivals(textInput([hit, ...background], "flat", "lines"), 4096);
    expect(short).toHaveLength(1);
    expect(short[0]?.pushed).toBe(Number.POSITIVE_INFINITY);
    // More than a block after it: the hit comes back from a push, no later than one block past its record.
    const filler: string[] = [];
    for (let size = 0, i = 0; size < 2 * BLOCK; i++) {
      const record = textRecord("flat", "background", 1000 + (i % 200));
      filler.push(record);
      size += record.length + 1;
    }
    const long = arrivals(textInput([hit, ...filler], "flat", "lines"), 65536);
    expect(long).toHaveLength(1);
    const [{ hit: found, pushed }] = long as [{ hit: Hit; pushed: number }];
    expect(pushed).toBeGreaterThanOrEqual(found.offset + found.length);
    expect(pushed).toBeLessThanOrEqual(BLOCK + 65536);
  });

  it("flush(): a complete text record's hit comes at once, in every text format; an incomplete one waits for the rest", () => {
    for (const format of ["xml", "flat", "ecs", "evtxdump"] as const) {
      const scanner = createScanner();
      const background = textRecord(format, "background", 3);
      const hit = textRecord(format, "truePositive", 9);
      // Enough lines that the format is known at once; far less than a block.
      const head = new TextEncoder().encode(`${Array.from({ length: 30 }, () => background).join("\n")}\n`);
      expect(scanner.push(head)).toEqual([]);
      expect(scanner.flush()).toEqual([]);
      const record = new TextEncoder().encode(`${hit}\n`);
      const cut = record.length >> 1;
      expect(scanner.push(record.subarray(0, cut))).toEqual([]);
      expect(scanner.flush(), `${format}: half a record`).toEqual([]);
      expect(scanner.push(record.subarray(cut))).toEqual([]);
      // XML ends a record at its close tag; a JSON line at its line feed.
      const now = scanner.flush();
      expect(now, format).toHaveLength(1);
      expect(now[0]?.offset).toBe(head.length);
      expect(scanner.end()).toEqual([]);
      expect(scanner.rows()).toHaveLength(1);
    }
    const ended = createScanner();
    ended.end();
    expect(() => ended.flush()).toThrow(ScanError);
  });

  it("live: the push that completes a record returns its hit; the pre-filter stream passes the record on from that chunk", async () => {
    // A quiet feed: the matching record is the last one for a while (a JSON line included).
    for (const format of ["xml", "flat", "ecs"] as const) {
      const background = textRecord(format, "background", 3);
      const hit = textRecord(format, "truePositive", 9);
      const head = new TextEncoder().encode(`${Array.from({ length: 30 }, () => background).join("\n")}\n`);
      const record = new TextEncoder().encode(`${hit}\n`);
      const scanner = createScanner({ live: true });
      expect(scanner.push(head)).toEqual([]);
      expect(scanner.push(record), format).toHaveLength(1);
      expect(scanner.end()).toEqual([]);
      const stream = createPrefilterStream({ live: true });
      const out: Buffer[] = [];
      stream.on("data", (b: Buffer) => out.push(b));
      stream.write(head);
      stream.write(record);
      await new Promise((resolve) => setImmediate(resolve));
      expect(Buffer.concat(out).toString("utf8"), format).toBe(`${hit}\n`); // before the stream ends
      stream.end();
    }
    expect(() => createScanner({ live: "yes" } as never)).toThrow("live must be a boolean");
  });

  it("EVTX: a hit comes from the push that completes its 64 KiB chunk", () => {
    const { bytes, truePositives } = evtxInput(3, 30, (_c, r) => (r % 9 === 4 ? "truePositive" : "background"));
    const got = arrivals(bytes, 4096);
    expect(got).toHaveLength(truePositives);
    for (const { hit, pushed } of got) {
      const chunkEnd = 4096 + (Math.floor((hit.offset - 4096) / 65536) + 1) * 65536;
      expect(pushed).toBeGreaterThanOrEqual(chunkEnd);
      expect(pushed).toBeLessThan(chunkEnd + 4096);
    }
  });
});
