/**
 * Issue 17: archives as real collections come. xz, bzip2, zstd (plain and in tar) and 7z read
 * from fixtures made by the real tools (scripts/make-archive-fixtures.sh), each also cut short
 * and corrupted; compressions we do not read are named as such; zips with bytes after their end
 * record and gzips with trailing garbage are read whole with a warning; a zip or 7z on stdin is
 * spilled to a temporary file instead of being held.
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { EngineName } from "../src/engine/engine.js";
import { engineByName } from "../src/engine/engines.js";
import { scanParallel } from "../src/pool/parallel-scan.js";
import { toRows } from "../src/report/row.js";
import { archiveKindOf, unsupportedCompressionOf } from "../src/scan/archive-kind.js";
import { gunzip } from "../src/scan/gzip-bytes.js";
import { expandInputs } from "../src/scan/inputs.js";
import { PeekableBytes } from "../src/scan/peekable-bytes.js";
import { scanInputs } from "../src/scan/scan.js";
import { CORPUS, HAVE_CORPUS, ROOT, runCli } from "./helpers/cli.js";
import { collect, folderPerTest, makeTar, makeZip, openFdCount, type Seen } from "./helpers/inputs-fixtures.js";

const FIXTURES = join(ROOT, "test", "fixtures", "archives");
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const TP = fixture("tp.log").toString("utf8");

const folder = folderPerTest();
const file = folder.file;
const brief = (seen: Seen[]) =>
  seen.map((s) => {
    const name = s.name.startsWith(folder.root) ? s.name.slice(folder.root.length + 1) : s.name;
    if (s.kind === "stream") {
      const thrown = s.thrown ? ` !${folder.rel(s.thrown)}` : "";
      return `${name} = ${s.text === TP ? "TP" : `${s.text.length} bytes`}${thrown}`;
    }
    if (s.kind === "problem") return `${name} ! ${s.code}: ${folder.rel(s.message)}`;
    if (s.kind === "skipped") return `${name} ~ ${s.reason}`;
    if (s.kind === "warning") return `${name} ? ${s.message}`;
    return `${name} (file)`;
  });
// A temporary folder of this file's own: the other test files running at the same time make and
// remove temporary folders of the same names, which a look at the shared /tmp would count.
const sharedTmp = process.env.TMPDIR;
beforeAll(() => {
  process.env.TMPDIR = mkdtempSync(join(tmpdir(), "lds-compressions-tmp-"));
});
afterAll(() => {
  const own = tmpdir();
  if (sharedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = sharedTmp;
  rmSync(own, { recursive: true, force: true });
});

/** Our temporary files and folders still in this file's temporary folder. */
const leftovers = () =>
  readdirSync(tmpdir())
    .filter((n) => n.startsWith("lsass-dump-scan-"))
    .sort();

const COMPRESSED = [
  { kind: "xz", plain: "tp.log.xz", tar: "tp.tar.xz" },
  { kind: "bzip2", plain: "tp.log.bz2", tar: "tp.tar.bz2" },
  { kind: "zstd", plain: "tp.log.zst", tar: "tp.tar.zst" },
] as const;

describe.each(COMPRESSED)("$kind", ({ kind, plain, tar }) => {
  test("recognized by its magic, whatever the name", () => {
    expect(archiveKindOf(fixture(plain))).toBe(kind);
    expect(archiveKindOf(fixture(tar))).toBe(kind);
  });

  test("a plain file and a tar inside it read whole", async () => {
    const seen = await collect([file("a.log.x", fixture(plain)), file("b.tar.x", fixture(tar))]);
    expect(brief(seen)).toEqual(["a.log.x = TP", "b.tar.x:tp.log = TP"]);
  });

  test("two streams back to back read as one (cat a b)", async () => {
    const seen = await collect([file("two", Buffer.concat([fixture(plain), fixture(plain)]))]);
    expect(brief(seen)).toEqual([`two = ${TP.length * 2} bytes`]);
  });

  test("truncated: one error naming the file, exit-2 kind", async () => {
    const data = fixture(plain);
    for (const cut of [data.length - 1, data.length - 12, Math.floor(data.length / 2)]) {
      const seen = await collect([file("cut", data.subarray(0, cut))]);
      const text = brief(seen).join("\n");
      expect(text, `cut at ${cut}`).toMatch(/^cut(( = (\d+ bytes|TP) !cut: )| ! LDS_E_CORRUPT_ARCHIVE: cut: )/);
      expect(text).toContain(kind === "bzip2" && cut === data.length - 1 ? "bzip2" : `(truncated ${kind})`);
    }
  });

  test("corrupt: one error naming the file", async () => {
    const data = Buffer.from(fixture(plain));
    data[Math.floor(data.length / 2)] ^= 0xff;
    const text = brief(await collect([file("bad", data)])).join("\n");
    expect(text).toMatch(/^bad(( = (\d+ bytes|TP) !bad: )| ! LDS_E_CORRUPT_ARCHIVE: bad: )/);
    expect(text).toMatch(new RegExp(`corrupt ${kind}|truncated ${kind}`));
  });

  test("a truncated tar inside: the member is named, the archive is the problem", async () => {
    const data = fixture(tar);
    const seen = brief(await collect([file("t", data.subarray(0, data.length - 20))]));
    expect(seen.join("\n")).toMatch(/LDS_E_CORRUPT_ARCHIVE/);
    expect(seen.join("\n")).toContain(`truncated ${kind}`);
  });
});

describe("7z", () => {
  test("members read; the archive on stdin is spilled and removed", async () => {
    const before = leftovers();
    expect(archiveKindOf(fixture("tp.7z"))).toBe("7z");
    expect(brief(await collect([file("x.7z", fixture("tp.7z"))]))).toEqual(["x.7z:tp.log = TP"]);
    const stdin = Readable.from([fixture("tp.7z")]);
    expect(brief(await collect(["-"], { stdin }))).toEqual(["-:tp.log = TP"]);
    expect(leftovers()).toEqual(before);
  });

  test("a 7z inside a tar", async () => {
    const tar = await makeTar([{ name: "in/tp.7z", data: fixture("tp.7z") }]);
    expect(brief(await collect([file("x.tar", tar)]))).toEqual(["x.tar:in/tp.7z:tp.log = TP"]);
  });

  test("encrypted member: a problem, never a password prompt; encrypted headers: one problem", async () => {
    const seen = await collect([
      file("e.7z", fixture("tp-encrypted.7z")),
      file("h.7z", fixture("tp-encrypted-headers.7z")),
    ]);
    expect(brief(seen)).toEqual([
      "e.7z:tp.log ! LDS_E_UNSUPPORTED: e.7z:tp.log: encrypted 7z member, not read",
      "h.7z ! LDS_E_CORRUPT_ARCHIVE: h.7z: cannot open 7z (7-Zip stopped: encrypted headers or a damaged archive)",
    ]);
    expect(process.exitCode ?? 0).toBe(0); // 7-Zip's exit status does not leak into ours
  });

  test("a symbolic link stored in a 7z is skipped, never followed", async () => {
    expect(brief(await collect([file("l.7z", fixture("tp-link.7z"))]))).toEqual([
      "l.7z:tp-link.log ~ symbolic link in 7z, not read",
      "l.7z:tp.log = TP",
    ]);
  });

  test("a member stored as ../tp.log is a problem: the file it would name outside the temporary folder is neither read nor deleted", async () => {
    // 7-Zip writes it inside its folder anyway; the name joined to that folder names a file of
    // this machine, which was scanned as the member and then removed.
    const tmp = join(folder.root, "tmp");
    mkdirSync(tmp);
    const outside = join(tmp, "tp.log");
    writeFileSync(outside, "not the archive's\n");
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      expect(brief(await collect([file("d.7z", fixture("tp-dotdot.7z"))]))).toEqual([
        "d.7z:../tp.log ! LDS_E_UNSUPPORTED: d.7z:../tp.log: 7z member name leads out of the archive (`..`), not read",
        "d.7z:tp.log = TP",
      ]);
    } finally {
      process.env.TMPDIR = saved;
      if (saved === undefined) delete process.env.TMPDIR;
    }
    expect(readFileSync(outside, "utf8")).toBe("not the archive's\n");
    expect(readdirSync(tmp)).toEqual(["tp.log"]);
  });

  test("truncated: one problem; corrupt data: the member's decoded part, then its error", async () => {
    const data = fixture("tp.7z");
    const flipped = Buffer.from(data);
    flipped[100] = (flipped[100] ?? 0) ^ 0xff;
    const seen = await collect([file("cut.7z", data.subarray(0, 300)), file("bad.7z", flipped)]);
    const lines = brief(seen);
    expect(lines[0]).toBe("cut.7z ! LDS_E_CORRUPT_ARCHIVE: cut.7z: unexpected end of file (truncated 7z)");
    expect(lines[1]).toMatch(
      /^bad\.7z:tp\.log (= \d+ bytes !bad\.7z:tp\.log|! LDS_E_CORRUPT_ARCHIVE: bad\.7z:tp\.log): corrupt 7z/,
    );
  });
});

describe("compressions we do not read are named, never 'not a log format'", () => {
  const heads: [string, Uint8Array][] = [
    ["rar", Buffer.from("Rar!\x1a\x07\x01\x00\x33\x92\xb5\xe5\x0a\x01\x05\x06\x00\x05\x01\x01\x80\x80\x00", "latin1")],
    ["lz4", Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x0b, 0, 0, 0x80, 0x7b, 0x7d, 0x0a])],
    ["lzma", Buffer.from([0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0x3d, 0x88])],
    ["cab", Buffer.from("MSCF\0\0\0\0\x2c\x01\0\0\0\0\0\0", "latin1")],
    ["compress (.Z)", Buffer.from([0x1f, 0x9d, 0x90, 0x7b, 0x7d, 0x0a])],
  ];

  test.each(heads)("%s", (name, head) => {
    expect(unsupportedCompressionOf(head)).toBe(name);
  });

  test("named: a problem; met in a folder: skipped with the reason", async () => {
    const engine = await engineByName("reference");
    const named = file("x.rar", heads[0]?.[1] ?? new Uint8Array());
    const r = await scanInputs([named], { engine });
    expect(r.problems[0]).toEqual({
      input: named,
      code: "LDS_E_UNSUPPORTED",
      message: "rar-compressed: not supported",
    });
    const tar = await makeTar([
      { name: "logs/old.lz4", data: heads[1]?.[1] ?? "" },
      { name: "logs/new.json", data: TP },
    ]);
    const walked = await scanInputs([file("x.tar", tar)], { engine });
    expect(walked.problems).toEqual([]);
    expect(walked.skipped).toEqual([
      { name: join(folder.root, "x.tar:logs/old.lz4"), reason: "lz4-compressed: not supported" },
    ]);
  });

  test("text is not taken for a compression", () => {
    for (const text of ["]\0\0 not lzma", "BZh9 a note", "MSCF", "Rar! is a word", '{"a":1}']) {
      expect(unsupportedCompressionOf(Buffer.from(text, "latin1"))).toBeUndefined();
      expect(archiveKindOf(Buffer.from(text, "latin1"))).toBeUndefined();
    }
  });
});

describe("zip members packed with other methods than deflate: unpacked by 7-Zip", () => {
  // Windows Explorer packs zips over 2 GB with Deflate64; 7-Zip (-tzip -mm=...) writes all four.
  const PACKED = ["tp-deflate64.zip", "tp-bzip2.zip", "tp-lzma.zip", "tp-ppmd.zip"];
  /** `zip` with the method of every member set to `method`, in the local and the central headers. */
  const withMethod = (zip: Buffer, method: number) => {
    const out = Buffer.from(zip);
    for (let at = out.indexOf("PK\x03\x04"); at >= 0; at = out.indexOf("PK\x03\x04", at + 4))
      out.writeUInt16LE(method, at + 8);
    for (let at = out.indexOf("PK\x01\x02"); at >= 0; at = out.indexOf("PK\x01\x02", at + 4))
      out.writeUInt16LE(method, at + 10);
    return out;
  };

  test("each read whole, on disk, inside a tar (from memory) and spilled from stdin; nothing left behind", async () => {
    const before = leftovers();
    const seen = await collect(PACKED.map((n) => join(FIXTURES, n)));
    expect(brief(seen).map((l) => l.replaceAll(`${FIXTURES}/`, ""))).toEqual(PACKED.map((n) => `${n}:tp.log = TP`));
    const tar = await makeTar(PACKED.map((n) => ({ name: n, data: fixture(n) })));
    expect(brief(await collect([file("x.tar", tar)]))).toEqual(PACKED.map((n) => `x.tar:${n}:tp.log = TP`));
    const stdin = Readable.from([fixture("tp-deflate64.zip")]);
    expect(brief(await collect(["-"], { stdin, maxBufferedNestedZip: 64 }))).toEqual(["-:tp.log = TP"]);
    expect(leftovers()).toEqual(before);
  });

  test("a CP437 name (Windows Explorer's, no UTF-8 flag) is read and named as yauzl decodes it; then the next member", async () => {
    const before = leftovers();
    const seen = await collect([file("w.zip", fixture("tp-deflate64-cp437.zip"))]);
    expect(brief(seen)).toEqual(["w.zip:r\u00e9sum\u00e9.log = TP", "w.zip:tp.log = TP"]);
    expect(leftovers()).toEqual(before);
  });

  test("a method 7-Zip cannot unpack either is a problem naming it; the zip goes on", async () => {
    const zip = makeZip([
      { name: "a.json", data: TP },
      { name: "b.json", data: "{}\n", method: "stored" },
    ]);
    const odd = withMethod(zip, 19); // IBM LZ77 z (APPNOTE 4.4.5): no reader we know of
    const seen = brief(await collect([file("odd.zip", odd)]));
    expect(seen).toEqual([
      "odd.zip:a.json ! LDS_E_UNSUPPORTED: odd.zip:a.json: zip compression method 19 is not supported (7-Zip cannot unpack it either)",
      "odd.zip:b.json ! LDS_E_UNSUPPORTED: odd.zip:b.json: zip compression method 19 is not supported (7-Zip cannot unpack it either)",
    ]);
  });

  test("damaged packed data: the member is a problem (or its decoded part, then its error), named", async () => {
    const damaged = Buffer.from(fixture("tp-bzip2.zip"));
    damaged[60] = (damaged[60] ?? 0) ^ 0xff;
    const seen = await collect([file("bad.zip", damaged)]);
    expect(seen).toHaveLength(1);
    const only = seen[0];
    const said = only?.kind === "problem" ? only.message : only?.kind === "stream" ? (only.thrown ?? "") : "";
    expect(said).toMatch(/bad\.zip:tp\.log: /);
    expect(said).not.toBe("");
  });
});

describe("split zips: read from their first part, by 7-Zip", () => {
  test("zip -s: x.z01 (PK\\7\\8 first) is read with x.zip beside it; x.zip alone is no archive", async () => {
    expect(archiveKindOf(fixture("tp-split.z01"))).toBe("zip");
    const dir = join(folder.root, "parts");
    mkdirSync(dir);
    for (const n of ["tp-split.z01", "tp-split.zip"]) writeFileSync(join(dir, n), fixture(n));
    const before = leftovers();
    expect(brief(await collect([dir]))).toEqual([
      "parts/tp-split.z01:tp.log = TP",
      "parts/tp-split.z01:split-pad.txt = 78894 bytes",
      "parts/tp-split.zip (file)",
    ]);
    expect(leftovers()).toEqual(before);
  });

  test("7z -v: x.zip.001, x.zip.002 (the zip's bytes cut in pieces) read from the first; the first alone is a problem", async () => {
    const zip = fixture("tp.zip");
    const first = file("tp.zip.001", zip.subarray(0, 300));
    file("tp.zip.002", zip.subarray(300));
    expect(brief(await collect([first]))).toEqual(["tp.zip.001:tp.log = TP"]);
    const alone = file("lone.zip.001", zip.subarray(0, 300));
    const seen = await collect([alone]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: "problem", name: alone, code: "LDS_E_CORRUPT_ARCHIVE" });
    expect(brief(seen)[0]).toMatch(
      /^lone\.zip\.001 ! LDS_E_CORRUPT_ARCHIVE: lone\.zip\.001: first part of a split archive: the parts after it are missing or damaged \(/,
    );
  });
});

describe("zip: bytes after the end record", () => {
  const clean = makeZip([
    { name: "a.json", data: TP },
    { name: "b.json", data: "{}\n", method: "stored" },
  ]);

  test.each([
    ["one stray newline (the OTRF zips)", Buffer.from("\n"), "1 byte"],
    ["zero padding", Buffer.alloc(512), "512 bytes"],
    ["more than yauzl's 64 KiB search window", Buffer.alloc(70_000, 0x41), "70000 bytes"],
  ])("%s: every member read, one warning naming the zip", async (_, tail, bytes) => {
    const seen = brief(await collect([file("x.zip", Buffer.concat([clean, tail]))]));
    expect(seen).toEqual([
      "x.zip:a.json = TP",
      "x.zip:b.json = 3 bytes",
      `x.zip ? ${bytes} after the zip's end record ignored (every member was read)`,
    ]);
  });

  test("a zip comment followed by a stray byte; a zip from memory (stdin) too", async () => {
    const withComment = Buffer.from(clean);
    withComment.writeUInt16LE(5, withComment.length - 2);
    const data = Buffer.concat([withComment, Buffer.from("hello\n")]);
    expect(brief(await collect([file("c.zip", data)]))[2]).toBe(
      "c.zip ? 1 byte after the zip's end record ignored (every member was read)",
    );
    const stdin = Readable.from([data]);
    expect(brief(await collect(["-"], { stdin }))).toEqual([
      "-:a.json = TP",
      "-:b.json = 3 bytes",
      "- ? 1 byte after the zip's end record ignored (every member was read)",
    ]);
  });

  test("Info-ZIP fixtures: zip64 records, data descriptors, encrypted member", async () => {
    const seen = await collect(
      ["tp.zip", "tp-zip64.zip", "tp-descriptor.zip", "tp-encrypted.zip"].map((n) => join(FIXTURES, n)),
    );
    expect(brief(seen).map((l) => l.replaceAll(`${FIXTURES}/`, ""))).toEqual([
      "tp.zip:tp.log = TP",
      "tp-zip64.zip:tp.log = TP",
      "tp-descriptor.zip:tp.log = TP",
      "tp-encrypted.zip:tp.log ! LDS_E_UNSUPPORTED: tp-encrypted.zip:tp.log: encrypted zip member, not read",
    ]);
  });

  test("a zip over maxBufferedNestedZip on stdin is spilled to a temporary file, read, and removed", async () => {
    const before = leftovers();
    const stdin = Readable.from([clean.subarray(0, 100), clean.subarray(100)]);
    const seen = brief(await collect(["-"], { stdin, maxBufferedNestedZip: 64 }));
    expect(seen).toEqual(["-:a.json = TP", "-:b.json = 3 bytes"]);
    expect(leftovers()).toEqual(before);
  });
});

describe("gzip: trailing garbage after the last member", () => {
  const gz = gzipSync(TP);

  test.each([
    ["zero padding", Buffer.alloc(1000), "trailing zero bytes ignored (1000 bytes after the last gzip member)"],
    ["a stray newline", Buffer.from("\n"), "trailing garbage ignored (1 byte after the last gzip member)"],
    ["a lone 0x1f", Buffer.from([0x1f]), "trailing garbage ignored (1 byte after the last gzip member)"],
  ])("%s: the members are read, one warning", async (_, tail, message) => {
    const data = Buffer.concat([gz, gzipSync("{}\n"), tail]);
    expect(brief(await collect([file("x.gz", data)]))).toEqual([
      `x.gz = ${TP.length + 3} bytes`,
      `x.gz ? decompression OK, ${message}`,
    ]);
  });

  test("a second member cut after its header is an error, after the first member's bytes", async () => {
    const second = gzipSync("more\n");
    const seen = brief(await collect([file("x.gz", Buffer.concat([gz, second.subarray(0, 10)]))]));
    expect(seen).toEqual(["x.gz = TP !x.gz: unexpected end of file (truncated gzip) [LDS_E_CORRUPT_ARCHIVE]"]);
  });

  test("every way of cutting the input into chunks gives the same bytes and the same warning", async () => {
    const named = gzipSync("{}\n");
    named[3] = 0x08; // FNAME: a zero-terminated name after the fixed header
    const withName = Buffer.concat([named.subarray(0, 10), Buffer.from("x.json\0"), named.subarray(10)]);
    const data = Buffer.concat([gzipSync("one\n"), withName, gzipSync(""), Buffer.from("\n\0")]);
    for (let a = 1; a < data.length; a++) {
      for (const b of [a + 1, a + 7, data.length]) {
        const chunks = [data.subarray(0, a), data.subarray(a, b), data.subarray(b)].filter((c) => c.length > 0);
        const stream = gunzip(new PeekableBytes(Readable.from(chunks)), "x.gz", {});
        const out: Uint8Array[] = [];
        for await (const chunk of stream.bytes.chunks()) out.push(chunk);
        expect(Buffer.concat(out).toString(), `cut at ${a}, ${b}`).toBe("one\n{}\n");
        expect(stream.trailing).toBe("decompression OK, trailing garbage ignored (2 bytes after the last gzip member)");
      }
    }
  });

  test("a .tar.gz with zero padding after it (as tape and disk images have)", async () => {
    const tar = await makeTar([{ name: "tp.log", data: TP }]);
    const seen = brief(await collect([file("x.tgz", Buffer.concat([gzipSync(tar), Buffer.alloc(4096)]))]));
    expect(seen).toEqual([
      "x.tgz:tp.log = TP",
      "x.tgz ? decompression OK, trailing zero bytes ignored (4096 bytes after the last gzip member)",
    ]);
  });
});

describe.each<EngineName>(["wasm", "reference"])("the true positive in every compression (%s engine)", (engineName) => {
  const names = ["tp.log", "tp.log.xz", "tp.log.bz2", "tp.log.zst", "tp.tar.xz", "tp.tar.bz2", "tp.tar.zst", "tp.7z"];
  names.push("tp-deflate64.zip", "tp-bzip2.zip", "tp-lzma.zip", "tp-ppmd.zip", "tp-split.z01");

  test("one thread and the pool find it in each, with no problem", async () => {
    const engine = await engineByName(engineName);
    const expected = await scanInputs([join(FIXTURES, "tp.log")], { engine });
    const rows = JSON.stringify(toRows(expected.aggregates.entries()));
    expect(JSON.parse(rows)).toHaveLength(1);
    for (const name of names) {
      const one = await scanInputs([join(FIXTURES, name)], { engine });
      expect(one.problems, name).toEqual([]);
      expect(JSON.stringify(toRows(one.aggregates.entries())), name).toBe(rows);
      const pool = await scanParallel([join(FIXTURES, name)], { engine: engineName, workers: 2 });
      expect(pool.problems, name).toEqual([]);
      expect(JSON.stringify(toRows(pool.aggregates.entries())), name).toBe(rows);
    }
  });

  test("a zip with a stray byte gives the clean zip's rows and a warning; a gzip with zeros its members' rows", async () => {
    const engine = await engineByName(engineName);
    const zip = fixture("tp.zip");
    const clean = await scanInputs([file("clean.zip", zip)], { engine });
    const stray = await scanParallel([file("stray.zip", Buffer.concat([zip, Buffer.from("\n")]))], {
      engine: engineName,
      workers: 2,
    });
    expect(toRows(stray.aggregates.entries())).toEqual(toRows(clean.aggregates.entries()));
    expect(toRows(clean.aggregates.entries())).toHaveLength(1);
    expect(stray.problems).toEqual([]);
    expect(stray.warnings).toEqual([
      {
        input: join(folder.root, "stray.zip"),
        message: "1 byte after the zip's end record ignored (every member was read)",
      },
    ]);
    const padded = await scanInputs([file("padded.gz", Buffer.concat([gzipSync(TP), Buffer.alloc(512)]))], { engine });
    expect(toRows(padded.aggregates.entries())).toEqual(toRows(clean.aggregates.entries()));
    expect(padded.problems).toEqual([]);
    expect(padded.warnings).toHaveLength(1);
  });
});

if (!HAVE_CORPUS) console.warn(`skipping the OTRF zip test: ${CORPUS} is not there`);

describe("the OTRF zip with a stray newline, as 19 of 160 were published", () => {
  const zip = join(CORPUS, "archives", "rdp_interactive_taskmanager_lsass_dump.zip");

  test.skipIf(!HAVE_CORPUS)("the CLI prints the clean zip's rows, one warning, exit status 1 (alerts)", () => {
    const stray = file("rdp.zip", Buffer.concat([readFileSync(zip), Buffer.from("\n")]));
    const clean = runCli(["scan", zip, "--no-progress", "--format", "jsonl"]);
    const run = runCli(["scan", stray, "--no-progress", "--format", "jsonl"]);
    expect(clean.status).toBe(1);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(clean.stdout);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain(
      `lsass-dump-scan: warning: ${stray}: 1 byte after the zip's end record ignored (every member was read)`,
    );
    expect(run.stderr).toMatch(/, 1 warning in /);
  });
});

describe("no descriptor, temporary file or folder outlives the generator", () => {
  test("full runs and early breaks, for every new kind and the spilled zip", async () => {
    const zip = makeZip([
      { name: "a.json", data: TP },
      { name: "b.json", data: TP },
    ]);
    const cut = fixture("tp.tar.xz");
    const paths = [
      ...["tp.log.xz", "tp.tar.bz2", "tp.tar.zst", "tp-encrypted.7z"].map((n) => join(FIXTURES, n)),
      file(
        "in.tar",
        await makeTar([
          { name: "x.7z", data: fixture("tp.7z") },
          { name: "y.zip", data: zip },
        ]),
      ),
      file("cut.tar.xz", cut.subarray(0, cut.length - 30)),
    ];
    const fds = openFdCount();
    const temps = leftovers();
    await collect(paths, { maxBufferedNestedZip: 16 });
    for (const k of [1, 3, 5, 8]) {
      let n = 0;
      for await (const item of expandInputs(paths, { maxBufferedNestedZip: 16 })) {
        if (item.kind === "stream") for await (const _ of item.chunks) break;
        if (++n === k) break;
      }
      if (fds !== undefined) expect(openFdCount(), `break after ${k} items`).toBe(fds);
      expect(leftovers(), `break after ${k} items`).toEqual(temps);
    }
  });
});
