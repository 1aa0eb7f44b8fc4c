import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { SNIFF_BYTES } from "../src/formats/log-format.js";
import { expandInputs, type InputItem } from "../src/scan/inputs.js";
import { PeekableBytes } from "../src/scan/peekable-bytes.js";
import {
  collect,
  fakeStdin,
  folderPerTest,
  jsonLines,
  makeTar,
  makeZip,
  noise,
  openFdCount,
} from "./helpers/inputs-fixtures.js";

const folder = folderPerTest();
const file = folder.file;
const bulky = (bytes: number, seed = 1) => noise(bytes / 2, seed).toString("hex");
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

/** Three large members, so each spans many chunks and the head is a strict prefix. */
const members = [bulky(300_000, 1), bulky(300_000, 2), bulky(300_000, 3)];
const tarOf = () =>
  makeTar([
    { name: "a.json", data: members[0] },
    { name: "b.json", data: members[1] },
    { name: "c.json", data: members[2] },
  ]);
const zipOf = () =>
  makeZip([
    { name: "a.json", data: members[0] ?? "" },
    { name: "b.json", data: members[1] ?? "", method: "stored" },
    { name: "c.json", data: members[2] ?? "" },
  ]);

/** Every kind of archive the layer opens, as files under folder.root. */
async function archives(): Promise<string[]> {
  const tar = await tarOf();
  const zip = zipOf();
  return [
    file("x.tar", tar),
    file("x.tar.gz", gzipSync(tar)),
    file("x.zip", zip),
    file("nested.tar.gz", gzipSync(await makeTar([{ name: "in.zip", data: zip }]))),
  ];
}

describe("the consumer may move on without reading", () => {
  test("members not read at all: every item still comes, in order, with its own head", async () => {
    for (const path of await archives()) {
      const heads: string[] = [];
      for await (const item of expandInputs([path])) {
        expect(item.kind).toBe("stream");
        if (item.kind === "stream") heads.push(text(item.head));
      }
      expect(heads, path).toEqual(members.map((m) => m.slice(0, SNIFF_BYTES)));
    }
  });

  test("members read part way: the next one is whole", async () => {
    for (const path of await archives()) {
      const seen: string[] = [];
      let n = 0;
      for await (const item of expandInputs([path])) {
        if (item.kind !== "stream") throw new Error(item.kind);
        if (n++ % 2 === 0) {
          for await (const _ of item.chunks) break; // one chunk, then on to the next item
          seen.push("partial");
        } else {
          const chunks: Uint8Array[] = [];
          for await (const chunk of item.chunks) chunks.push(chunk);
          seen.push(text(Buffer.concat(chunks)));
        }
      }
      expect(seen, path).toEqual(["partial", members[1], "partial"]);
    }
  });

  test("chunks read after moving on, or twice, throw instead of giving wrong bytes", async () => {
    const items: InputItem[] = [];
    for await (const item of expandInputs([file("x.tar", await tarOf())])) items.push(item);
    const first = items[0];
    if (first?.kind !== "stream") throw new Error("expected a stream");
    await expect(
      (async () => {
        for await (const _ of first.chunks) {
        }
      })(),
    ).rejects.toThrow(/moved on/);

    for await (const item of expandInputs([file("y.tar", await tarOf())])) {
      if (item.kind !== "stream") continue;
      for await (const _ of item.chunks) {
      }
      await expect(
        (async () => {
          for await (const _ of item.chunks) {
          }
        })(),
      ).rejects.toThrow(/only once/);
      break;
    }
  });

  test("an iterator made and closed without reading (as the scanner does for unknown formats) is harmless", async () => {
    const names: string[] = [];
    for await (const item of expandInputs([file("x.tar.gz", gzipSync(await tarOf()))])) {
      if (item.kind === "stream") await item.chunks[Symbol.asyncIterator]().return?.();
      names.push(item.name.slice(folder.root.length + 1));
    }
    expect(names).toEqual(["x.tar.gz:a.json", "x.tar.gz:b.json", "x.tar.gz:c.json"]);
  });
});

describe("chunk boundaries", () => {
  test("stdin delivered in odd small pieces: same items, same bytes", async () => {
    const inner = makeZip([{ name: "z.json", data: jsonLines(500, "z") }]);
    const tgz = gzipSync(
      await makeTar([
        { name: "a.json", data: jsonLines(3000, "a") },
        { name: "in.zip", data: inner },
        { name: "b.json.gz", data: gzipSync(jsonLines(10, "b")) },
      ]),
    );
    for (const piece of [1, 7, 511, 513, 65_537]) {
      const seen = await collect(["-"], { stdin: fakeStdin(tgz, piece) });
      expect(
        seen.map((s) =>
          s.kind === "stream" ? `${s.name} ${s.text === s.head ? "whole head" : s.text.length}` : s.kind,
        ),
        `pieces of ${piece}`,
      ).toEqual([`-:a.json ${jsonLines(3000, "a").length}`, "-:in.zip:z.json whole head", "-:b.json.gz whole head"]);
      const a = seen[0];
      expect(a?.kind === "stream" && a.text === jsonLines(3000, "a") && a.head === a.text.slice(0, SNIFF_BYTES)).toBe(
        true,
      );
    }
  });
});

describe("PeekableBytes", () => {
  async function* source(parts: string[], failAfter?: number) {
    let n = 0;
    for (const part of parts) {
      if (n++ === failAfter) throw new Error("boom");
      yield Buffer.from(part);
    }
  }
  const readAll = async (bytes: PeekableBytes) => {
    const out: string[] = [];
    for await (const chunk of bytes.chunks()) out.push(text(chunk));
    return out.join("");
  };

  test("peek spans chunks and consumes nothing; empty chunks are skipped", async () => {
    const bytes = new PeekableBytes(source(["ab", "", "cde", "f"]));
    expect(text(await bytes.peek(4))).toBe("abcd");
    expect(text(await bytes.peek(2))).toBe("ab");
    expect(text(await bytes.peek(100))).toBe("abcdef");
    expect(await readAll(bytes)).toBe("abcdef");
    expect(bytes.finished).toBe(true);
  });

  test("a failure after some bytes: peek returns them, the error comes after them and stays", async () => {
    const bytes = new PeekableBytes(source(["ab", "cd", "ef"], 2));
    expect(text(await bytes.peek(10))).toBe("abcd");
    expect(text((await bytes.read()) ?? new Uint8Array())).toBe("ab");
    expect(text((await bytes.read()) ?? new Uint8Array())).toBe("cd");
    await expect(bytes.read()).rejects.toThrow("boom");
    await expect(bytes.drain()).rejects.toThrow("boom");
  });

  test("a failure before any byte: peek throws", async () => {
    await expect(new PeekableBytes(source(["ab"], 0)).peek(1)).rejects.toThrow("boom");
  });
});

describe("no descriptor outlives the generator", () => {
  const baseline = openFdCount();

  test.skipIf(baseline === undefined)(
    "full runs, early breaks at every item, corrupt archives: fd count unchanged",
    async () => {
      const paths = await archives();
      mkdirSync(join(folder.root, "dir"));
      file("dir/plain.json", "{}");
      file("dir/plain.json.gz", gzipSync(bulky(200_000)));
      const cutTgz = gzipSync(await tarOf());
      const corrupt = [
        file("cut.tar.gz", cutTgz.subarray(0, cutTgz.length >> 1)),
        file("cut.zip", zipOf().subarray(0, 100_000)),
        file("cut.tar", (await tarOf()).subarray(0, 400_000)),
      ];
      const before = openFdCount();

      // Whole runs, everything read.
      await collect([...paths, join(folder.root, "dir"), ...corrupt]);
      expect(openFdCount()).toBe(before);

      // Break after k items, in the middle of reading the k-th one.
      const all = [...paths, join(folder.root, "dir"), ...corrupt];
      for (let k = 1; k <= 14; k++) {
        let n = 0;
        for await (const item of expandInputs(all)) {
          if (item.kind === "stream") {
            for await (const _ of item.chunks) break;
          }
          if (++n === k) break;
        }
        expect(openFdCount(), `break after ${k} items`).toBe(before);
      }

      // return() on the generator directly, while a member is half read.
      const generator = expandInputs([paths[1] ?? ""]);
      const first = await generator.next();
      if (!first.done && first.value.kind === "stream") await first.value.chunks[Symbol.asyncIterator]().next();
      await generator.return(undefined);
      expect(openFdCount()).toBe(before);
    },
  );
});
