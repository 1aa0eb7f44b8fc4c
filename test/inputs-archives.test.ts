import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { SNIFF_BYTES } from "../src/formats/log-format.js";
import { archiveKindOf } from "../src/scan/archive-kind.js";
import { expandInputs, MAX_ARCHIVE_NESTING } from "../src/scan/inputs.js";
import {
  collect,
  crc32,
  fakeStdin,
  folderPerTest,
  jsonLines,
  makeTar,
  makeZip,
  noise,
  type Seen,
  toV7Tar,
} from "./helpers/inputs-fixtures.js";

const folder = folderPerTest();
const file = folder.file;
/** name and text of each item, names relative to folder.root. */
const brief = (seen: Seen[]) =>
  seen.map((s) => {
    const name = s.name.startsWith(folder.root) ? s.name.slice(folder.root.length + 1) : s.name;
    if (s.kind === "stream") return `${name} = ${s.text}${s.thrown ? ` !${s.thrown}` : ""}`;
    if (s.kind === "problem") return `${name} ! ${s.code}: ${s.message.replace(`${folder.root}/`, "")}`;
    if (s.kind === "skipped") return `${name} ~ ${s.reason}`;
    if (s.kind === "warning") return `${name} ? ${s.message}`;
    return `${name} (file)`;
  });

describe("archiveKindOf: content, not names", () => {
  test("magic numbers", async () => {
    expect(archiveKindOf(gzipSync("x"))).toBe("gzip");
    expect(archiveKindOf(makeZip([{ name: "a", data: "b" }]))).toBe("zip");
    expect(archiveKindOf(makeZip([]))).toBe("zip"); // an empty zip is only its end record, PK\5\6
    expect(archiveKindOf(await makeTar([{ name: "a.json", data: "{}" }]))).toBe("tar");
    expect(archiveKindOf(toV7Tar(await makeTar([{ name: "a.json", data: "{}" }])))).toBe("tar");
  });

  test("look-alikes are not archives", async () => {
    expect(archiveKindOf(Buffer.from("PK is how this log starts, but it is text"))).toBeUndefined();
    expect(archiveKindOf(Buffer.from("PK\x03"))).toBeUndefined();
    expect(archiveKindOf(Buffer.from("\x1f"))).toBeUndefined();
    expect(archiveKindOf(new Uint8Array(0))).toBeUndefined();
    expect(archiveKindOf(new Uint8Array(1024))).toBeUndefined(); // zeros: no name, no checksum
    const tar = await makeTar([{ name: "a.json", data: "{}" }]);
    const badV7 = toV7Tar(tar);
    badV7[0] = 0x62; // name changed, checksum not: not a tar
    expect(archiveKindOf(badV7)).toBeUndefined();
    expect(archiveKindOf(tar.subarray(0, 511))).toBeUndefined();
    expect(archiveKindOf(Buffer.from(jsonLines(100)))).toBeUndefined();
  });
});

describe("gzip", () => {
  test("x.json.gz is one stream named as the file, explicit as the file, decompressed", async () => {
    const text = jsonLines(5);
    const seen = await collect([file("x.json.gz", gzipSync(text))]);
    expect(seen).toEqual([{ kind: "stream", name: join(folder.root, "x.json.gz"), explicit: true, head: text, text }]);
  });

  test("recognized by content: a gzip named .log is opened, a .gz that is JSON is a plain file", async () => {
    const seen = await collect([file("really-gzip.log", gzipSync("{}\n")), file("not.gz", "{}\n")]);
    expect(brief(seen)).toEqual(["really-gzip.log = {}\n", "not.gz (file)"]);
  });

  test("large content: head is SNIFF_BYTES, chunks are every byte from 0", async () => {
    const text = jsonLines(20_000);
    const [item] = await collect([file("big.json.gz", gzipSync(text))]);
    expect(item?.kind).toBe("stream");
    if (item?.kind !== "stream") return;
    expect(item.head).toBe(text.slice(0, SNIFF_BYTES));
    expect(item.text).toBe(text);
  });

  test("gzip members back to back read as one stream (cat a.gz b.gz)", async () => {
    const seen = await collect([file("two.gz", Buffer.concat([gzipSync("one\n"), gzipSync("two\n")]))]);
    expect(brief(seen)).toEqual(["two.gz = one\ntwo\n"]);
  });

  test("gzip of gzip is opened twice", async () => {
    const seen = await collect([file("x.gz.gz", gzipSync(gzipSync("{}")))]);
    expect(brief(seen)).toEqual(["x.gz.gz = {}"]);
  });

  test(`nesting deeper than ${MAX_ARCHIVE_NESTING} is a problem, not an endless descent`, async () => {
    let data: Buffer = Buffer.from("{}");
    for (let i = 0; i <= MAX_ARCHIVE_NESTING; i++) data = gzipSync(data);
    const seen = await collect([file("deep.gz", data)]);
    expect(brief(seen)).toEqual([
      `deep.gz ! LDS_E_UNSUPPORTED: deep.gz: archives nested more than ${MAX_ARCHIVE_NESTING} deep, not opened`,
    ]);
  });
});

describe("tar", () => {
  const entries = [
    { name: "logs/", type: "directory" as const },
    { name: "logs/a.json", data: '{"a":1}\n' },
    { name: "logs/empty.json", data: "" },
    { name: "logs/link.json", type: "symlink" as const, linkname: "a.json" },
    { name: "b.xml", data: "<Event/>" },
  ];
  const expected = (archive: string) => [
    `${archive}:logs/a.json = {"a":1}\n`,
    `${archive}:logs/empty.json = `,
    `${archive}:logs/link.json ~ symlink in tar, not read`,
    `${archive}:b.xml = <Event/>`,
  ];

  test("members in archive order, named archive:member; directories left out, links skipped", async () => {
    const seen = await collect([file("x.tar", await makeTar(entries))]);
    expect(brief(seen)).toEqual(expected("x.tar"));
    const member = seen[0];
    expect(member).toMatchObject({ kind: "stream", explicit: false, size: 8 });
  });

  test(".tar.gz and .tgz: gzip whose content is tar", async () => {
    const tgz = gzipSync(await makeTar(entries));
    const seen = await collect([file("x.tar.gz", tgz), file("y.tgz", tgz)]);
    expect(brief(seen)).toEqual([...expected("x.tar.gz"), ...expected("y.tgz")]);
  });

  test("old v7 tar (no ustar magic)", async () => {
    const seen = await collect([file("old.tar", toV7Tar(await makeTar([{ name: "a.json", data: "{}" }])))]);
    expect(brief(seen)).toEqual(["old.tar:a.json = {}"]);
  });

  test("a member larger than the head streams whole, head from its start", async () => {
    const big = jsonLines(30_000, "big");
    const seen = await collect([
      file(
        "big.tar.gz",
        gzipSync(
          await makeTar([
            { name: "big.json", data: big },
            { name: "n.json", data: "{}" },
          ]),
        ),
      ),
    ]);
    expect(seen[0]).toMatchObject({ kind: "stream", name: join(folder.root, "big.tar.gz:big.json"), size: big.length });
    if (seen[0]?.kind !== "stream") return;
    expect(seen[0].head).toBe(big.slice(0, SNIFF_BYTES));
    expect(seen[0].text).toBe(big);
    expect(brief(seen.slice(1))).toEqual(["big.tar.gz:n.json = {}"]);
  });
});

/** GNU tar, which alone writes sparse members (`tar -S`); bsdtar and busybox tar do not. */
const GNU_TAR = (() => {
  try {
    return execFileSync("tar", ["--version"], { encoding: "utf8" }).includes("GNU tar");
  } catch {
    return false;
  }
})();
if (!GNU_TAR) console.warn("GNU tar not installed (Debian package tar): sparse tar tests skipped");

describe.skipIf(!GNU_TAR)("tar: sparse members as GNU tar -S writes them", () => {
  // A log with a hole (as logrotate's copytruncate leaves one): the stored bytes are only the
  // data around the hole (after a map of it, in the PAX formats), not the file's content.
  const makeSparseTar = (format: string) => {
    mkdirSync(join(folder.root, "src"));
    const sparse = join(folder.root, "src", "a-sparse.json");
    writeFileSync(sparse, '{"a":1}\n');
    truncateSync(sparse, 4 * 1024 * 1024);
    appendFileSync(sparse, '{"b":2}\n');
    writeFileSync(join(folder.root, "src", "b.json"), "{}");
    const tar = join(folder.root, `${format}.tar`);
    execFileSync("tar", [
      `--format=${format}`,
      "--sparse",
      "-cf",
      tar,
      "-C",
      join(folder.root, "src"),
      "a-sparse.json",
      "b.json",
    ]);
    return tar;
  };

  test.each(["gnu", "posix"])(
    "--format=%s: a problem naming the member, never its stored bytes as the file; the tar goes on",
    async (format) => {
      const seen = await collect([makeSparseTar(format)]);
      const reason =
        format === "gnu"
          ? "tar entry of a type we do not read (a GNU sparse file, a multi-volume part), not read"
          : "sparse file in tar (GNU tar -S, PAX format), not read";
      expect(brief(seen)).toEqual([
        `${format}.tar:a-sparse.json ! LDS_E_UNSUPPORTED: ${format}.tar:a-sparse.json: ${reason}`,
        `${format}.tar:b.json = {}`,
      ]);
    },
  );
});

describe("zip", () => {
  test("stored and deflated members, in order, with sizes; directories left out", async () => {
    const big = jsonLines(10_000);
    const zip = makeZip([
      { name: "dir/", data: "", method: "stored" },
      { name: "dir/stored.json", data: '{"s":1}', method: "stored" },
      { name: "deflated.json", data: big, method: "deflate" },
      { name: "ünïcode name.json", data: "{}", method: "deflate" },
    ]);
    const seen = await collect([file("x.zip", zip)]);
    expect(brief(seen)).toEqual([
      `x.zip:dir/stored.json = {"s":1}`,
      `x.zip:deflated.json = ${big}`,
      "x.zip:ünïcode name.json = {}",
    ]);
    expect(seen[1]).toMatchObject({ explicit: false, size: big.length, head: big.slice(0, SNIFF_BYTES) });
  });

  test("every member whole, from a file and from memory, across the 1 MiB read windows and the one-call inflate's limits", async () => {
    // 24,000 tiny members put the central directory (~1.3 MiB) across two read windows; then
    // members on both sides of the small-member limits: 256 KiB packed, 256 KiB unpacked.
    const members = Array.from({ length: 24_000 }, (_, i) => ({
      name: `logs/host-${i}.json`,
      data: jsonLines(1 + (i % 3), `m${i}`),
      method: i % 5 === 0 ? ("stored" as const) : ("deflate" as const),
    }));
    const bulky = noise(300_000).toString("hex"); // ~2:1 packed: over 256 KiB packed, streamed
    const roomy = "{}\n".repeat(1_500_000); // 4.5 MB unpacked from a few KiB packed, streamed
    const edge = "{}\n".repeat((256 * 1024) / 3); // 256 KiB - 1 unpacked, inflated at once
    const wanted = [
      ...members.slice(0, 12_000),
      { name: "bulky.json", data: bulky, method: "deflate" as const },
      { name: "roomy.json", data: roomy, method: "deflate" as const },
      { name: "edge.json", data: edge, method: "deflate" as const },
      ...members.slice(12_000),
    ];
    const zip = makeZip(wanted);
    const expected = wanted.map((m) => `x.zip:${m.name} = ${m.data.length} bytes ${crc32(Buffer.from(m.data))}`);
    const describe = (seen: Seen[]) =>
      seen.map((s) =>
        s.kind === "stream"
          ? `${s.name.slice(s.name.lastIndexOf("x.zip"))} = ${s.text.length} bytes ${crc32(Buffer.from(s.text))}${s.thrown ? ` !${s.thrown}` : ""}`
          : brief([s])[0],
      );
    expect(describe(await collect([file("x.zip", zip)]))).toEqual(expected);
    const inTar = await makeTar([{ name: "x.zip", data: zip }]); // a nested zip is read from memory
    expect(describe(await collect([file("t.tar", inTar)])).map((line) => line.replace("t.tar:", ""))).toEqual(expected);
  }, 60_000);

  test("stripes of a zip: each its members; the whole zip's warning and problems from stripe 0 only; no zip, nothing but from stripe 0", async () => {
    const members = Array.from({ length: 6 }, (_, i) => ({ name: `m${i}.json`, data: `{"n":${i}}` }));
    const zip = makeZip(members);
    // The fifth directory entry's signature broken: the directory is corrupt from there on.
    let at = -1;
    for (let k = 0; k < 5; k++) at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 1);
    zip[at + 3] = 0x09;
    const path = file("s.zip", Buffer.concat([zip, Buffer.from("\n")]));
    const stripe = async (index: number, on = path) => brief(await collect([on], { zipStripe: { index, of: 2 } }));
    expect(await stripe(0)).toEqual([
      's.zip:m0.json = {"n":0}',
      's.zip:m2.json = {"n":2}',
      "s.zip ! LDS_E_CORRUPT_ARCHIVE: s.zip: corrupt zip (invalid central directory file header signature: 0x9014b50)",
    ]);
    expect(await stripe(1)).toEqual(['s.zip:m1.json = {"n":1}', 's.zip:m3.json = {"n":3}']);
    const plain = file("plain.json", "{}");
    expect(await stripe(0, plain)).toEqual(["plain.json (file)"]);
    expect(await stripe(1, plain)).toEqual([]);
  });

  test("an empty zip yields nothing", async () => {
    expect(await collect([file("empty.zip", makeZip([]))])).toEqual([]);
  });

  test("a file that starts with PK but is no zip is a plain file", async () => {
    expect(brief(await collect([file("pk.json", "PK some text\n")]))).toEqual(["pk.json (file)"]);
  });

  test("encrypted members are problems, and so is a member whose bzip2 data is none (7-Zip's data error); the zip goes on", async () => {
    const zip = makeZip([
      { name: "secret.json", data: "xxxx", method: "stored", encrypted: true },
      { name: "bz.json", data: "xxxx", method: "stored", methodNumber: 12 },
      { name: "ok.json", data: "{}" },
    ]);
    expect(brief(await collect([file("x.zip", zip)]))).toEqual([
      "x.zip:secret.json ! LDS_E_UNSUPPORTED: x.zip:secret.json: encrypted zip member, not read",
      "x.zip:bz.json ! LDS_E_CORRUPT_ARCHIVE: x.zip:bz.json: corrupt zip member (data error)",
      "x.zip:ok.json = {}",
    ]);
  });

  test("zip member names keep what zip stores: `..` and backslashes are names, not paths to follow", async () => {
    const zip = makeZip([
      { name: "../up.json", data: "{}" },
      { name: "win\\path.json", data: "{}" },
    ]);
    expect(brief(await collect([file("x.zip", zip)]))).toEqual(["x.zip:../up.json = {}", "x.zip:win/path.json = {}"]);
  });

  test("a zip on stdin is buffered and read", async () => {
    const zip = makeZip([{ name: "a.json", data: jsonLines(3) }]);
    expect(brief(await collect(["-"], { stdin: fakeStdin(zip, 100) }))).toEqual([`-:a.json = ${jsonLines(3)}`]);
  });
});

describe("nesting", () => {
  test("zip in tar.gz, gz in tar, tar in gz in zip: names chain with ':'", async () => {
    const innerZip = makeZip([{ name: "m.json", data: '{"z":1}' }]);
    const outer = gzipSync(
      await makeTar([
        { name: "inner.zip", data: innerZip },
        { name: "logs/x.json.gz", data: gzipSync('{"g":1}') },
        { name: "plain.json", data: "{}" },
      ]),
    );
    const zipOfTgz = makeZip([{ name: "t.tgz", data: gzipSync(await makeTar([{ name: "deep.json", data: "{}" }])) }]);
    const seen = await collect([file("outer.tar.gz", outer), file("z.zip", zipOfTgz)]);
    expect(brief(seen)).toEqual([
      'outer.tar.gz:inner.zip:m.json = {"z":1}',
      'outer.tar.gz:logs/x.json.gz = {"g":1}',
      "outer.tar.gz:plain.json = {}",
      "z.zip:t.tgz:deep.json = {}",
    ]);
    expect(seen.every((s) => s.kind === "stream" && !s.explicit)).toBe(true);
  });

  test("a nested zip over maxBufferedNestedZip is spilled to a temporary file and read; the outer archive goes on", async () => {
    const innerZip = makeZip([{ name: "m.json", data: jsonLines(100) }]);
    const tar = await makeTar([
      { name: "inner.zip", data: innerZip },
      { name: "after.json", data: "{}" },
    ]);
    const seen = await collect([file("x.tar", tar)], { maxBufferedNestedZip: 100 });
    expect(brief(seen)).toEqual([`x.tar:inner.zip:m.json = ${jsonLines(100)}`, "x.tar:after.json = {}"]);
  });

  test("expandArchives: false gives archive files as plain file items", async () => {
    const path = file("x.tar.gz", gzipSync(await makeTar([{ name: "a.json", data: "{}" }])));
    const items = [];
    for await (const item of expandInputs([path], { expandArchives: false })) items.push(item);
    expect(items).toHaveLength(1);
    expect(items[0]?.kind).toBe("file");
    if (items[0]?.kind === "file") expect(archiveKindOf(items[0].head)).toBe("gzip");
  });
});
