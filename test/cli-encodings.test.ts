/**
 * Issue 9, item 3: text logs in UTF-16LE / UTF-16BE with a byte order mark (Windows PowerShell
 * 5.1's `Out-File` and `>`), in every text format, plain, inside archives and on stdin, through
 * both engines, one thread or several, any shard size; and invalid UTF-8 decoding to U+FFFD the
 * same way in every format and engine.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { planTasks } from "../src/pool/plan.js";
import { utf16BomOf, utf16ToUtf8 } from "../src/scan/utf16-text.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { makeTar, makeZip } from "./helpers/inputs-fixtures.js";
import { powershellOutFile } from "./helpers/powershell-text.js";
import {
  ecsRecord,
  evtxDumpRecord,
  flatRecord,
  type SeedEvent,
  TRUE_POSITIVE as TP,
  xmlEvent,
} from "./helpers/seed-events.js";

type Encoding = "utf-16le" | "utf-16be";
const RECORD = {
  xml: (e: SeedEvent) => xmlEvent(e, { pretty: true }),
  flat: (e: SeedEvent) => flatRecord(e),
  ecs: (e: SeedEvent) => ecsRecord(e),
  evtxdump: (e: SeedEvent) => evtxDumpRecord(e, { indent: 2 }),
} as const;
type Layout = keyof typeof RECORD;

/** A log of `layout` with two hits on `dest` (first and last record) around background records. */
function logText(layout: Layout, dest: string, background = 40): string {
  const hit = { ...TP, computer: dest };
  const records = [RECORD[layout](hit)];
  for (let i = 0; i < background; i++) records.push(RECORD[layout]({ ...TP, eventId: 1, computer: `bg-${i}` }));
  records.push(RECORD[layout]({ ...hit, time: "2024-03-06T01:02:03.5Z" }));
  return `${records.join("\n")}\n`;
}

/** The rows a scan printed, as [dest, count, firstTime, lastTime]. */
function rowsOf(stdout: string): [string, number, string | null, string | null][] {
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l))
    .map((r) => [r.dest, r.count, r.firstTime, r.lastTime]);
}

const RUNS = [
  ["wasm", "1"],
  ["wasm", "2"],
  ["reference", "1"],
  ["reference", "2"],
] as const;

describe("UTF-16 text logs with a byte order mark", () => {
  let folder: string;
  const expected: [string, number, string, string][] = [];

  beforeAll(async () => {
    folder = tempDir("lds-utf16-");
    const hit = (dest: string) => expected.push([dest, 2, "2024-03-05T10:11:12", "2024-03-06T01:02:03"]);
    for (const layout of Object.keys(RECORD) as Layout[]) {
      for (const encoding of ["utf-16le", "utf-16be"] as Encoding[]) {
        // An astral character in the host name: a surrogate pair in UTF-16.
        const dest = `PS-${encoding}-${layout}-\u{1F5A5}.corp.example`;
        writeFileSync(join(folder, `${layout}-${encoding}.log`), powershellOutFile(logText(layout, dest), encoding));
        hit(dest);
      }
    }
    writeFileSync(join(folder, "xml.log.gz"), gzipSync(powershellOutFile(logText("xml", "PS-gz"), "utf-16le")));
    hit("PS-gz");
    const tar = await makeTar([
      { name: "day1/flat.json", data: powershellOutFile(logText("flat", "PS-tar"), "utf-16be") },
    ]);
    writeFileSync(join(folder, "logs.tar.gz"), gzipSync(tar));
    hit("PS-tar");
    writeFileSync(
      join(folder, "export.zip"),
      makeZip([{ name: "ecs.json", data: powershellOutFile(logText("ecs", "PS-zip"), "utf-16le") }]),
    );
    hit("PS-zip");
    // A surrogate pair whose four bytes straddle the end of the first read block (64 KiB) of a file.
    const head = logText("flat", "PS-straddle", 0);
    const tail = `\n${flatRecord({ ...TP, computer: "PS-\u{1F5A5}-split" })}`;
    const crlf = (s: string) => s.replace(/\n/g, "\r\n");
    const pad = " ".repeat((65534 - 2) / 2 - crlf(head).length - crlf(tail).indexOf("\u{1F5A5}"));
    const straddle = powershellOutFile(`${head}${pad}${tail}`);
    expect(straddle.subarray(65534, 65538)).toEqual(Buffer.from("\u{1F5A5}", "utf16le"));
    writeFileSync(join(folder, "straddle.json"), straddle);
    hit("PS-straddle");
    expected.push(["PS-\u{1F5A5}-split", 1, "2024-03-05T10:11:12", "2024-03-05T10:11:12"]);
    expected.sort((a, b) => (Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])) < 0 ? -1 : 1));
  });

  for (const [engine, workers] of RUNS) {
    it(`every text format and archive, ${engine} engine, ${workers} thread(s), --shard-size 4k`, () => {
      const r = runCli(["scan", folder, "--format", "jsonl", "--engine", engine, "-j", workers, "--shard-size", "4k"]);
      expect(r.stderr).not.toContain("skipped");
      expect(r.status).toBe(1);
      expect(rowsOf(r.stdout)).toEqual(expected);
    });
  }

  it("UTF-16BE and UTF-16LE on standard input, both engines", () => {
    for (const encoding of ["utf-16le", "utf-16be"] as Encoding[]) {
      for (const engine of ["wasm", "reference"]) {
        const input = powershellOutFile(logText("ecs", "PS-stdin"), encoding);
        const r = runCli(["scan", "-", "--format", "jsonl", "--engine", engine, "-q"], { input });
        expect(r.status, `${encoding} ${engine}`).toBe(1);
        expect(rowsOf(r.stdout)).toEqual([["PS-stdin", 2, "2024-03-05T10:11:12", "2024-03-06T01:02:03"]]);
      }
    }
  });

  it("an unpaired surrogate becomes U+FFFD, in both engines", () => {
    const dir = tempDir("lds-utf16-lone-");
    const file = join(dir, "lone.json");
    // Raw lone surrogates in the UTF-16 text (JSON.stringify would escape them as \\ud800).
    const e = { ...TP, computer: "PS-lone-@HIGH@-host", targetFilename: "C:\\Temp\\lsass@LOW@.dmp" };
    const text = flatRecord(e).replace("@HIGH@", "\uD800").replace("@LOW@", "\uDC00");
    writeFileSync(file, powershellOutFile(`${text}\n`));
    for (const engine of ["wasm", "reference"]) {
      const r = runCli(["scan", file, "--format", "jsonl", "--engine", engine, "-q"]);
      expect(r.status).toBe(1);
      const row = JSON.parse(r.stdout);
      expect(row.dest).toBe("PS-lone-\uFFFD-host");
      expect(row.TargetFilename).toBe("C:\\Temp\\lsass\uFFFD.dmp");
    }
  });
});

describe("planning a UTF-16 file", () => {
  it("is one streamed task, never sharded, and keeps whether it was met in a folder", () => {
    const big = { name: "ps.json", path: "/t/ps.json", size: 10 * 4096 };
    expect(planTasks([{ ...big, encoding: "utf-16le" }], { shardSize: 4096 })).toEqual([
      { kind: "archive", name: "ps.json", path: "/t/ps.json", size: 10 * 4096, inputFormat: undefined },
    ]);
    const [task] = planTasks([{ ...big, encoding: "utf-16be", explicit: false }], { shardSize: 4096 });
    expect(task).toMatchObject({ kind: "archive", explicit: false });
  });
});

describe("utf16ToUtf8", () => {
  it("gives the same text however the bytes are cut, surrogate pairs and odd bytes included", async () => {
    const text = "A\u{1F5A5}b\u00e9\uD800c\u{10FFFF}\uDFFF\r\n";
    const decoded = "A\u{1F5A5}b\u00e9\uFFFDc\u{10FFFF}\uFFFD\r\n";
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Encoding>("utf-16le", "utf-16be"),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        async (encoding, repeat, sizes, oddTail) => {
          const body = powershellOutFile(text.repeat(repeat), encoding);
          const bytes = oddTail ? Buffer.concat([body, Buffer.from([0x41])]) : body;
          expect(utf16BomOf(bytes)).toBe(encoding);
          const chunks: Uint8Array[] = [];
          for (let at = 0, i = 0; at < bytes.length; i++) {
            const size = sizes[i % sizes.length]!;
            chunks.push(bytes.subarray(at, at + size));
            at += size;
          }
          const out: Uint8Array[] = [];
          for await (const block of utf16ToUtf8(
            (async function* () {
              yield* chunks;
            })(),
            encoding,
          ))
            out.push(block);
          const want = `${decoded.repeat(repeat)}${oddTail ? "\uFFFD" : ""}`;
          expect(Buffer.concat(out).toString("utf8")).toBe(want);
        },
      ),
    );
  });
});

describe("invalid UTF-8 decodes to U+FFFD the same way in every format and engine", () => {
  // Bytes no UTF-8 decoder accepts: a stray continuation byte, a lead byte without its
  // continuation, an overlong '/', an encoded surrogate, a lone 0xFF.
  const BAD = [
    Buffer.from([0x80]),
    Buffer.from([0xc3, 0x41]),
    Buffer.from([0xc0, 0xaf]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0xff]),
  ];
  const MARK = "\u00a7"; // § stands for the bad bytes in the text, then replaced by them

  function withBadBytes(text: string, bad: Buffer): Buffer {
    const parts = text.split(MARK).map((p) => Buffer.from(p, "utf8"));
    return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [bad, p])));
  }

  for (const layout of Object.keys(RECORD) as Layout[]) {
    it(`${layout}: Computer and TargetFilename`, () => {
      const dir = tempDir("lds-badutf8-");
      const expected: string[][] = [];
      const files: string[] = [];
      BAD.forEach((bad, i) => {
        const e = { ...TP, computer: `WS-${i}-${MARK}-x`, targetFilename: `C:\\Temp\\lsass${MARK}${i}.dmp` };
        const bytes = withBadBytes(`${RECORD[layout](e)}\n`, bad);
        const file = join(dir, `bad-${i}.log`);
        writeFileSync(file, bytes);
        files.push(file);
        const decoded = new TextDecoder("utf-8").decode(bad);
        expected.push([`WS-${i}-${decoded}-x`, `C:\\Temp\\lsass${decoded}${i}.dmp`]);
      });
      for (const engine of ["wasm", "reference"]) {
        const r = runCli(["scan", ...files, "--format", "jsonl", "--engine", engine, "-q"]);
        expect(r.status, `${engine}: ${r.stderr}`).toBe(1);
        const got = r.stdout
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l))
          .map((row) => [row.dest, row.TargetFilename]);
        expect(got, engine).toEqual(expected);
      }
    });
  }
});
