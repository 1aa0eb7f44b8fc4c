/**
 * The reference engine's record splitters: the same records whatever the chunking, damaged
 * records contained, and records longer than MAX_RECORD_BYTES skipped and reported, not held.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonRecordSplitter } from "../src/formats/json-records.js";
import { MAX_RECORD_BYTES } from "../src/formats/record-limit.js";
import type { RecordSink } from "../src/formats/record-sink.js";
import { XmlEventSplitter } from "../src/formats/xml-records.js";
import { evtxDumpRecord, flatRecord, TRUE_POSITIVE as TP, xmlEvent } from "./helpers/seed-events.js";

type Seen = (string | { malformed: true } | { oversized: number })[];

function split(kind: "json" | "xml", chunks: Uint8Array[]): Seen {
  const seen: Seen = [];
  const sink: RecordSink = {
    record: (bytes) => seen.push(Buffer.from(bytes).toString("utf8")),
    malformed: () => seen.push({ malformed: true }),
    oversized: (offset) => seen.push({ oversized: offset }),
  };
  const splitter = kind === "json" ? new JsonRecordSplitter(sink) : new XmlEventSplitter(sink);
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return seen;
}

function cut(bytes: Buffer, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

const JSON_TEXT = [
  flatRecord(TP),
  "{ broken line without end",
  flatRecord({ ...TP, computer: 'brace } and " quote' }),
  evtxDumpRecord(TP, { indent: 2 }),
  `[${flatRecord(TP)},\n${flatRecord(TP)}]`,
  "garbage",
  flatRecord(TP),
].join("\n");

const XML_TEXT = [
  `<?xml version="1.0"?><Events>`,
  xmlEvent(TP),
  xmlEvent(TP, { pretty: true }),
  "<Event xmlns='x'><System><EventID>11", // cut short: the next event opens first
  `${xmlEvent(TP)}${xmlEvent({ ...TP, eventId: 1 })}`,
  "<EventData>not an event</EventData></Events>",
].join("\n");

describe("record splitters", () => {
  for (const [kind, text] of [
    ["json", JSON_TEXT],
    ["xml", XML_TEXT],
  ] as const) {
    it(`${kind}: the same records whatever the chunking`, () => {
      const bytes = Buffer.from(text);
      const whole = split(kind, [bytes]);
      expect(whole.filter((r) => typeof r === "string").length).toBeGreaterThanOrEqual(4);
      expect(whole.some((r) => typeof r !== "string" && "malformed" in r)).toBe(true);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
          expect(split(kind, cut(bytes, cuts))).toEqual(whole);
        }),
        { numRuns: 300 },
      );
    });
  }

  it("json: a record longer than the limit is skipped and reported with its offset, not held", () => {
    const head = Buffer.from(`${flatRecord(TP)}\n{"EventID":11,"Junk":"`);
    const body = Buffer.alloc(1 << 20, 0x61);
    const chunks: Uint8Array[] = [head];
    for (let n = 0; n <= MAX_RECORD_BYTES; n += body.length) chunks.push(body);
    chunks.push(Buffer.from(`"}\n${flatRecord(TP)}\n`));
    const seen = split("json", chunks);
    expect(seen).toHaveLength(3);
    expect(seen[1]).toEqual({ oversized: Buffer.byteLength(flatRecord(TP)) + 1 });
    expect(JSON.parse(seen[2] as string).Image).toBe(TP.image);
  });

  it("xml: an event longer than the limit is skipped and reported, the next one found", () => {
    const body = Buffer.alloc(1 << 20, 0x61);
    const chunks: Uint8Array[] = [Buffer.from("<Event><EventData><Data Name='X'>")];
    for (let n = 0; n <= MAX_RECORD_BYTES; n += body.length) chunks.push(body);
    chunks.push(Buffer.from(`</Data></EventData></Event>\n${xmlEvent(TP)}\n`));
    const seen = split("xml", chunks);
    expect(seen).toEqual([{ oversized: 0 }, xmlEvent(TP)]);
  });
});
