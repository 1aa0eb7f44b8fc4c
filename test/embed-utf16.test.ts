/**
 * The embedding API reads UTF-16 text logs with a byte order mark (Windows PowerShell 5.1's
 * `Out-File`) as the CLI does: transcoded to UTF-8 as the bytes come, in any chunking, also
 * inside gzip; hits' offsets are in the UTF-8 text, and the pre-filter passes on UTF-8 records
 * whose scan gives the same rows.
 */

import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPrefilterStream, createScanner, type Row, scanBytes } from "../src/index.js";
import { powershellOutFile } from "./helpers/powershell-text.js";
import { TRUE_POSITIVE, xmlEvent } from "./helpers/seed-events.js";

/** An XML log of a decoy and a match whose path holds a character outside the BMP (a surrogate pair in UTF-16). */
const TARGET = "C:\\Users\\Zoë 𝄞\\AppData\\Local\\Temp\\lsass.DMP";
const TEXT = [
  xmlEvent({ ...TRUE_POSITIVE, channel: "Security", provider: "Microsoft-Windows-Security-Auditing" }),
  xmlEvent({ ...TRUE_POSITIVE, targetFilename: TARGET }),
].join("\n");
const UTF8 = Buffer.from(`${TEXT.replace(/\n/g, "\r\n")}\r\n`);

function summary(rows: readonly Row[]): [string, string, number, string | null][] {
  return rows.map((r) => [r.dest, r.TargetFilename, r.count, r.firstTime]);
}

const WANT = [["WS01.corp.example", TARGET, 1, "2024-03-05T10:11:12"]];

describe.each(["utf-16le", "utf-16be"] as const)("%s with a byte order mark", (encoding) => {
  const bytes = powershellOutFile(TEXT, encoding);

  it("scanBytes: the rows, and the hit's offset and length in the UTF-8 text", () => {
    const { rows, hits, stats } = scanBytes(bytes);
    expect(stats.problems).toEqual([]);
    expect(summary(rows)).toEqual(WANT);
    const [hit] = hits;
    expect(hits).toHaveLength(1);
    const record = UTF8.subarray(hit?.offset, (hit?.offset ?? 0) + (hit?.length ?? 0)).toString("utf8");
    expect(record.startsWith("<Event")).toBe(true);
    expect(record).toContain("Zoë 𝄞");
    expect(scanBytes(gzipSync(bytes)).rows).toEqual(rows);
  });

  it("createScanner: the same rows in any chunking (code units and surrogate pairs cut)", () => {
    const whole = scanBytes(bytes).rows;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const scanner = createScanner();
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const n = sizes[i % sizes.length] ?? 1;
          scanner.push(bytes.subarray(at, at + n));
          at += n;
        }
        scanner.end();
        expect(scanner.stats().problems).toEqual([]);
        expect(scanner.rows()).toEqual(whole);
      }),
      { numRuns: 40 },
    );
  });

  it("createPrefilterStream: UTF-8 records out that give the same rows", async () => {
    const prefilter = createPrefilterStream();
    const out: Buffer[] = [];
    const pieces = Array.from({ length: Math.ceil(bytes.length / 5) }, (_, i) => bytes.subarray(i * 5, i * 5 + 5));
    for await (const chunk of Readable.from(pieces).pipe(prefilter)) out.push(chunk as Buffer);
    const passed = Buffer.concat(out);
    expect(passed.toString("utf8")).toContain(TARGET);
    expect(summary(scanBytes(passed).rows)).toEqual(WANT);
    expect(summary(prefilter.rows())).toEqual(WANT);
  });
});

it("a lone FF byte is not taken for a byte order mark", () => {
  const scanner = createScanner();
  scanner.push(Uint8Array.of(0xff));
  scanner.end();
  expect(scanner.rows()).toEqual([]);
  expect(scanner.stats().problems).toHaveLength(1); // an unknown format, said once
});
