import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { expandInputs } from "../src/scan/inputs.js";
import { collect, folderPerTest, jsonLines, makeTar, makeZip, noise, type Seen } from "./helpers/inputs-fixtures.js";

const folder = folderPerTest();
const file = folder.file;
const rel = folder.rel;
/** One line per item; stream contents shortened to their length. */
const brief = (seen: Seen[]) =>
  seen.map((s) => {
    const name = rel(s.name);
    if (s.kind === "stream") return `${name} = ${s.text.length} bytes${s.thrown ? ` ! thrown ${rel(s.thrown)}` : ""}`;
    if (s.kind === "problem") return `${name} ! ${s.code}: ${rel(s.message)}`;
    if (s.kind === "skipped") return `${name} ~ ${s.reason}`;
    return `${name} (file)`;
  });

/** XORs one byte of `bytes` with `mask`. */
const flip = (bytes: Uint8Array, at: number, mask: number) => {
  bytes[at] = (bytes[at] ?? 0) ^ mask;
};

/** Hex-looking text: compresses about 2:1, so a truncated gzip of it breaks well after the head. */
const bulky = (bytes: number) => noise(bytes / 2).toString("hex");

describe("gzip", () => {
  test("corrupt header bytes: one problem naming the file", async () => {
    const gz = gzipSync("{}");
    gz[2] = 9; // compression method 9 does not exist
    expect(brief(await collect([file("bad.json.gz", gz), file("next.json", "{}")]))).toEqual([
      "bad.json.gz ! LDS_E_CORRUPT_ARCHIVE: bad.json.gz: corrupt gzip data (unknown compression method)",
      "next.json (file)",
    ]);
  });

  test("corrupt deflate data: one problem", async () => {
    const gz = gzipSync(jsonLines(50));
    for (let i = 12; i < 40; i++) gz[i] = 0xff;
    const seen = await collect([file("bad.gz", gz)]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: "problem", code: "LDS_E_CORRUPT_ARCHIVE" });
    expect(rel((seen[0] as { message: string }).message)).toMatch(/^bad\.gz: corrupt gzip data \(.+\)$/);
  });

  test("a bad CRC at the end is caught: the content is scanned, then the error thrown", async () => {
    const gz = gzipSync(jsonLines(5));
    flip(gz, gz.length - 8, 0xff);
    expect(brief(await collect([file("crc.gz", gz)]))).toEqual([
      `crc.gz = ${jsonLines(5).length} bytes ! thrown crc.gz: corrupt gzip data (incorrect data check) [LDS_E_CORRUPT_ARCHIVE]`,
    ]);
  });

  test("a bad length at the end is caught", async () => {
    const gz = gzipSync(jsonLines(5));
    flip(gz, gz.length - 4, 0x01);
    expect(brief(await collect([file("len.gz", gz)]))).toEqual([
      `len.gz = ${jsonLines(5).length} bytes ! thrown len.gz: corrupt gzip data (incorrect length check) [LDS_E_CORRUPT_ARCHIVE]`,
    ]);
  });

  test("truncated, small: what precedes the cut is delivered, then the error is thrown from chunks", async () => {
    const text = jsonLines(50);
    const gz = gzipSync(text);
    const seen = await collect([file("cut.json.gz", gz.subarray(0, gz.length - 20))]);
    expect(brief(seen)).toEqual([
      "cut.json.gz = 1417 bytes ! thrown cut.json.gz: unexpected end of file (truncated gzip) [LDS_E_CORRUPT_ARCHIVE]",
    ]);
    expect(text.startsWith((seen[0] as { text: string }).text)).toBe(true);
  });

  test("truncated right after the header: nothing to deliver, so a problem", async () => {
    const gz = gzipSync(jsonLines(50));
    expect(brief(await collect([file("cut.json.gz", gz.subarray(0, 12))]))).toEqual([
      "cut.json.gz ! LDS_E_CORRUPT_ARCHIVE: cut.json.gz: unexpected end of file (truncated gzip)",
    ]);
  });

  test("truncated, large: thrown from chunks, named, once; the next argument goes on", async () => {
    const gz = gzipSync(bulky(600_000));
    const seen = await collect([file("cut.json.gz", gz.subarray(0, gz.length >> 1)), file("next.json", "{}")]);
    expect(seen).toHaveLength(2);
    expect(seen[0]?.kind).toBe("stream");
    expect(brief(seen)[0]).toMatch(
      /^cut\.json\.gz = \d+ bytes ! thrown cut\.json\.gz: unexpected end of file \(truncated gzip\) \[LDS_E_CORRUPT_ARCHIVE\]$/,
    );
    expect(brief(seen)[1]).toBe("next.json (file)");
  });

  test("the thrown error is a ScanError with the member's name as input", async () => {
    const gz = gzipSync(bulky(600_000));
    const path = file("cut.gz", gz.subarray(0, gz.length >> 1));
    for await (const item of expandInputs([path])) {
      if (item.kind !== "stream") throw new Error(`unexpected ${item.kind}`);
      const error = await (async () => {
        for await (const _ of item.chunks) {
        }
      })().catch((err: unknown) => err);
      expect(error).toMatchObject({ name: "ScanError", code: "LDS_E_CORRUPT_ARCHIVE", input: path });
    }
  });
});

describe("tar", () => {
  test("truncated inside a small member: members before it are read, then one report naming the member", async () => {
    const tar = await makeTar([
      { name: "a.json", data: "{}" },
      { name: "b.json", data: jsonLines(100) },
    ]);
    const cut = tar.subarray(0, 512 + 512 + 512 + 300); // a's header+data, b's header, part of b
    const lines = brief(await collect([file("x.tar", cut)]));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("x.tar:a.json = 2 bytes");
    // tar-stream may drop b's 300 bytes when it fails: then there is nothing to deliver, and it is a problem.
    expect(lines[1]).toMatch(
      /^x\.tar:b\.json (! LDS_E_CORRUPT_ARCHIVE: |= \d+ bytes ! thrown )x\.tar:b\.json: unexpected end of file \(truncated tar\)/,
    );
  });

  test("truncated inside a large member: thrown while reading it, not reported again", async () => {
    const tar = await makeTar([{ name: "big.json", data: bulky(400_000) }]);
    const seen = await collect([file("x.tar", tar.subarray(0, 300_000)), file("n.json", "{}")]);
    expect(brief(seen)).toEqual([
      "x.tar:big.json = 299488 bytes ! thrown x.tar:big.json: unexpected end of file (truncated tar) [LDS_E_CORRUPT_ARCHIVE]",
      "n.json (file)",
    ]);
  });

  test("truncated inside a header: one problem naming the tar", async () => {
    const tar = await makeTar([
      { name: "a.json", data: "{}" },
      { name: "b.json", data: "{}" },
    ]);
    expect(brief(await collect([file("x.tar", tar.subarray(0, 1024 + 200))]))).toEqual([
      "x.tar:a.json = 2 bytes",
      "x.tar ! LDS_E_CORRUPT_ARCHIVE: x.tar: unexpected end of file (truncated tar)",
    ]);
  });

  test("a corrupt header (bad checksum) after a good member", async () => {
    const tar = await makeTar([
      { name: "a.json", data: "{}" },
      { name: "b.json", data: "{}" },
    ]);
    flip(tar, 1024 + 10, 0x55); // in b's name: its checksum no longer adds up
    expect(brief(await collect([file("x.tar", tar)]))).toEqual([
      "x.tar:a.json = 2 bytes",
      "x.tar ! LDS_E_CORRUPT_ARCHIVE: x.tar: corrupt tar header (bad checksum)",
    ]);
  });

  test("tar.gz truncated inside a large member: thrown once, naming archive and member", async () => {
    const tgz = gzipSync(
      await makeTar([
        { name: "m.json", data: bulky(600_000) },
        { name: "later.json", data: "{}" },
      ]),
    );
    const seen = await collect([file("x.tar.gz", tgz.subarray(0, tgz.length >> 1)), file("n.json", "{}")]);
    expect(seen).toHaveLength(2);
    expect(brief(seen)[0]).toMatch(
      /^x\.tar\.gz:m\.json = \d+ bytes ! thrown x\.tar\.gz:m\.json: unexpected end of file \(truncated gzip\) \[LDS_E_CORRUPT_ARCHIVE\]$/,
    );
    expect(brief(seen)[1]).toBe("n.json (file)");
  });

  test("tar.gz truncated between members: a problem naming the .tar.gz", async () => {
    const tar = await makeTar([
      { name: "a.json", data: "{}" },
      { name: "b.json", data: "{}" },
    ]);
    // Two gzip members: the first holds a.json whole, the second (the rest) is cut short, so gunzip
    // fails while tar waits for the next header.
    const rest = gzipSync(tar.subarray(1024));
    const gz = Buffer.concat([gzipSync(tar.subarray(0, 1024)), rest.subarray(0, 12)]);
    expect(brief(await collect([file("x.tar.gz", gz)]))).toEqual([
      "x.tar.gz:a.json = 2 bytes",
      "x.tar.gz ! LDS_E_CORRUPT_ARCHIVE: x.tar.gz: unexpected end of file (truncated gzip)",
    ]);
  });

  test("a corrupt .gz member of a tar is its own problem; the tar goes on", async () => {
    const badGz = gzipSync(jsonLines(20));
    badGz[2] = 9;
    const cutGz = gzipSync(bulky(400_000));
    const tar = await makeTar([
      { name: "bad.json.gz", data: badGz },
      { name: "cut.json.gz", data: cutGz.subarray(0, cutGz.length >> 1) },
      { name: "good.json", data: "{}" },
    ]);
    const seen = await collect([file("x.tar", tar)]);
    const lines = brief(seen);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      "x.tar:bad.json.gz ! LDS_E_CORRUPT_ARCHIVE: x.tar:bad.json.gz: corrupt gzip data (unknown compression method)",
    );
    expect(lines[1]).toMatch(
      /^x\.tar:cut\.json\.gz = \d+ bytes ! thrown x\.tar:cut\.json\.gz: unexpected end of file \(truncated gzip\) \[LDS_E_CORRUPT_ARCHIVE\]$/,
    );
    expect(lines[2]).toBe("x.tar:good.json = 2 bytes");
  });
});

describe("zip", () => {
  test("a bad central directory: one problem naming the zip", async () => {
    const zip = makeZip([{ name: "a.json", data: "{}" }]);
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip[central + 3] = 0x09;
    expect(brief(await collect([file("x.zip", zip), file("n.json", "{}")]))).toEqual([
      "x.zip ! LDS_E_CORRUPT_ARCHIVE: x.zip: corrupt zip (invalid central directory file header signature: 0x9014b50)",
      "n.json (file)",
    ]);
  });

  test("truncated (no end record): one problem", async () => {
    const zip = makeZip([{ name: "a.json", data: jsonLines(10) }]);
    expect(brief(await collect([file("x.zip", zip.subarray(0, zip.length - 30))]))).toEqual([
      "x.zip ! LDS_E_CORRUPT_ARCHIVE: x.zip: corrupt zip (end of central directory record signature not found)",
    ]);
  });

  test("a member with a bad local header is a problem; the others are read", async () => {
    const zip = makeZip([
      { name: "a.json", data: "{}" },
      { name: "b.json", data: "{}" },
    ]);
    const b = zip.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), 4);
    zip[b] = 0x51; // b's local header signature
    expect(brief(await collect([file("x.zip", zip)]))).toEqual([
      "x.zip:a.json = 2 bytes",
      "x.zip:b.json ! LDS_E_CORRUPT_ARCHIVE: x.zip:b.json: corrupt zip (invalid local file header signature: 0x4034b51)",
    ]);
  });

  test("a flipped byte in a stored member fails its CRC-32; the next member is read", async () => {
    const zip = makeZip([
      { name: "a.json", data: '{"a":1}', method: "stored" },
      { name: "b.json", data: "{}" },
    ]);
    flip(zip, 30 + "a.json".length + 2, 0x01);
    expect(brief(await collect([file("x.zip", zip)]))).toEqual([
      "x.zip:a.json = 7 bytes ! thrown x.zip:a.json: corrupt zip member (CRC-32 mismatch) [LDS_E_CORRUPT_ARCHIVE]",
      "x.zip:b.json = 2 bytes",
    ]);
  });

  test("corrupt deflate data in a large member: reported once (problem or thrown), naming the member; the zip goes on", async () => {
    const zip = makeZip([
      { name: "big.json", data: bulky(400_000) },
      { name: "ok.json", data: "{}" },
    ]);
    const dataStart = 30 + "big.json".length;
    for (let i = dataStart + 150_000; i < dataStart + 150_064; i++) zip[i] = 0xff;
    const lines = brief(await collect([file("x.zip", zip)]));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^x\.zip:big\.json (! LDS_E_CORRUPT_ARCHIVE: |= \d+ bytes ! thrown )x\.zip:big\.json: corrupt zip member/,
    );
    expect(lines[1]).toBe("x.zip:ok.json = 2 bytes");
  });

  test("a small deflated member (inflated in one call) with corrupt data: one problem naming it; the next member is read", async () => {
    const zip = makeZip([
      { name: "bad.json", data: jsonLines(40) },
      { name: "ok.json", data: "{}" },
    ]);
    const dataStart = 30 + "bad.json".length;
    for (let i = dataStart + 5; i < dataStart + 40; i++) zip[i] = 0xff;
    expect(brief(await collect([file("x.zip", zip)]))).toEqual([
      "x.zip:bad.json ! LDS_E_CORRUPT_ARCHIVE: x.zip:bad.json: corrupt zip member (invalid code lengths set)",
      "x.zip:ok.json = 2 bytes",
    ]);
  });

  test("a small member whose directory gives the wrong size: corrupt, never more than a byte past it inflated", async () => {
    const data = jsonLines(20);
    const zip = makeZip([
      { name: "short.json", data, declaredSize: 100 },
      { name: "long.json", data, declaredSize: data.length + 7 },
      { name: "ok.json", data: "{}" },
    ]);
    expect(brief(await collect([file("x.zip", zip)]))).toEqual([
      "x.zip:short.json ! LDS_E_CORRUPT_ARCHIVE: x.zip:short.json: corrupt zip member (too many bytes in the stream)",
      "x.zip:long.json ! LDS_E_CORRUPT_ARCHIVE: x.zip:long.json: corrupt zip member (not enough bytes in the stream)",
      "x.zip:ok.json = 2 bytes",
    ]);
  });

  test("a large member (streamed) whose directory gives the wrong size: corrupt after what fits, the zip goes on", async () => {
    const data = bulky(700_000); // ~350 KB packed: over the small-member limit, so streamed
    const zip = makeZip([
      { name: "short.json", data, declaredSize: 300_000 },
      { name: "long.json", data, declaredSize: data.length + 7 },
      { name: "ok.json", data: "{}" },
    ]);
    const lines = brief(await collect([file("x.zip", zip)]));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^x\.zip:short\.json = \d+ bytes ! thrown x\.zip:short\.json: corrupt zip member \(too many bytes in the stream\) \[LDS_E_CORRUPT_ARCHIVE\]$/,
    );
    expect(Number(/= (\d+) bytes/.exec(lines[0] ?? "")?.[1])).toBeLessThanOrEqual(300_000);
    expect(lines[1]).toBe(
      `x.zip:long.json = ${data.length} bytes ! thrown x.zip:long.json: corrupt zip member (not enough bytes in the stream) [LDS_E_CORRUPT_ARCHIVE]`,
    );
    expect(lines[2]).toBe("x.zip:ok.json = 2 bytes");
  });

  test("a zip member that is a truncated gzip: its own error; the next member is read", async () => {
    const gz = gzipSync(jsonLines(50));
    const zip = makeZip([
      { name: "cut.gz", data: gz.subarray(0, gz.length - 10) },
      { name: "ok.json", data: "{}" },
    ]);
    expect(brief(await collect([file("x.zip", zip)]))).toEqual([
      "x.zip:cut.gz = 1577 bytes ! thrown x.zip:cut.gz: unexpected end of file (truncated gzip) [LDS_E_CORRUPT_ARCHIVE]",
      "x.zip:ok.json = 2 bytes",
    ]);
  });

  test("a corrupt zip inside a tar: problem naming the chain; the tar goes on", async () => {
    const inner = makeZip([{ name: "m.json", data: "{}" }]);
    const tar = await makeTar([
      { name: "inner.zip", data: inner.subarray(0, inner.length - 5) },
      { name: "after.json", data: "{}" },
    ]);
    expect(brief(await collect([file("x.tar", tar)]))).toEqual([
      "x.tar:inner.zip ! LDS_E_CORRUPT_ARCHIVE: x.tar:inner.zip: corrupt zip (end of central directory record signature not found)",
      "x.tar:after.json = 2 bytes",
    ]);
  });
});
