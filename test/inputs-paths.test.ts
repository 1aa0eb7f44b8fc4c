import { execFileSync } from "node:child_process";
import { chmodSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SNIFF_BYTES } from "../src/formats/log-format.js";
import { expandInputs } from "../src/scan/inputs.js";
import { collect, fakeStdin, folderPerTest, type Seen } from "./helpers/inputs-fixtures.js";

const folder = folderPerTest();

const at = (...parts: string[]) => join(folder.root, ...parts);
const names = (seen: Seen[]) => seen.map((s) => `${s.kind} ${s.name.slice(folder.root.length + 1)}`);

describe("plain files", () => {
  test("a named file is a file item with its head, size and explicit", async () => {
    writeFileSync(at("a.json"), '{"EventID":11}\n');
    const [item, ...rest] = await collect([at("a.json")]);
    expect(rest).toEqual([]);
    expect(item).toEqual({ kind: "file", name: at("a.json"), explicit: true, size: 15, head: '{"EventID":11}\n' });
  });

  test("head stops at SNIFF_BYTES; size is the whole file", async () => {
    writeFileSync(at("big.log"), Buffer.alloc(SNIFF_BYTES * 3 + 5, 0x61));
    for await (const item of expandInputs([at("big.log")])) {
      expect(item.kind).toBe("file");
      if (item.kind !== "file") continue;
      expect(item.head.length).toBe(SNIFF_BYTES);
      expect(item.size).toBe(SNIFF_BYTES * 3 + 5);
      expect(item.path).toBe(at("big.log"));
    }
  });

  test("an empty file is a normal item with an empty head", async () => {
    writeFileSync(at("empty.json"), "");
    expect(await collect([at("empty.json")])).toEqual([
      { kind: "file", name: at("empty.json"), explicit: true, size: 0, head: "" },
    ]);
  });

  test("a missing path is one LDS_E_INPUT_MISSING problem, and the next argument is still read", async () => {
    writeFileSync(at("b.json"), "{}");
    const seen = await collect([at("nope.json"), at("b.json")]);
    expect(seen[0]).toEqual({
      kind: "problem",
      name: at("nope.json"),
      code: "LDS_E_INPUT_MISSING",
      message: `${at("nope.json")}: no such file or directory`,
    });
    expect(names(seen)).toEqual(["problem nope.json", "file b.json"]);
  });

  test("a path through a file is missing too (ENOTDIR)", async () => {
    writeFileSync(at("f"), "x");
    const [problem] = await collect([at("f", "x.json")]);
    expect(problem).toMatchObject({ kind: "problem", code: "LDS_E_INPUT_MISSING" });
  });

  test.skipIf(process.getuid?.() === 0)(
    "an unreadable file is LDS_E_INPUT_UNREADABLE (skipped as folder.root)",
    async () => {
      writeFileSync(at("secret.json"), "{}");
      chmodSync(at("secret.json"), 0o000);
      const [problem] = await collect([at("secret.json")]);
      expect(problem).toMatchObject({
        kind: "problem",
        code: "LDS_E_INPUT_UNREADABLE",
        message: `${at("secret.json")}: permission denied`,
      });
    },
  );
});

describe("directories", () => {
  test("walked recursively, entries sorted by name, depth first; members are not explicit", async () => {
    mkdirSync(at("logs", "b", "deep"), { recursive: true });
    mkdirSync(at("logs", "a"));
    for (const f of [
      "logs/z.json",
      "logs/a/2.json",
      "logs/a/10.json",
      "logs/b/deep/x.json",
      "logs/b.json",
      "logs/B.json",
    ]) {
      writeFileSync(at(f), "{}");
    }
    const seen = await collect([at("logs")]);
    expect(names(seen)).toEqual([
      "file logs/B.json",
      "file logs/a/10.json",
      "file logs/a/2.json",
      "file logs/b/deep/x.json",
      "file logs/b.json",
      "file logs/z.json",
    ]);
    expect(seen.every((s) => s.kind === "file" && !s.explicit)).toBe(true);
  });

  test("names keep the directory as the user wrote it (trailing slash, no doubled separator)", async () => {
    mkdirSync(at("d"));
    writeFileSync(at("d", "x.json"), "{}");
    const [item] = await collect([`${at("d")}/`]);
    expect(item?.name).toBe(at("d", "x.json"));
  });

  test("an empty directory yields nothing", async () => {
    mkdirSync(at("empty"));
    expect(await collect([at("empty")])).toEqual([]);
  });

  test.skipIf(process.getuid?.() === 0)("an unreadable directory is one problem (skipped as folder.root)", async () => {
    mkdirSync(at("locked"));
    writeFileSync(at("locked", "x.json"), "{}");
    chmodSync(at("locked"), 0o000);
    try {
      const seen = await collect([at("locked")]);
      expect(seen).toEqual([
        {
          kind: "problem",
          name: at("locked"),
          code: "LDS_E_INPUT_UNREADABLE",
          message: `${at("locked")}: permission denied`,
        },
      ]);
    } finally {
      chmodSync(at("locked"), 0o755);
    }
  });
});

describe("symbolic links", () => {
  test("a link to a file is followed, under the link's name", async () => {
    mkdirSync(at("d"));
    writeFileSync(at("target.json"), "{}");
    symlinkSync(at("target.json"), at("d", "link.json"));
    expect(names(await collect([at("d")]))).toEqual(["file d/link.json"]);
  });

  test("a link loop (dir -> ..) is reported once as a problem naming the link, not walked forever", async () => {
    mkdirSync(at("top", "sub"), { recursive: true });
    writeFileSync(at("top", "sub", "x.json"), "{}");
    symlinkSync("..", at("top", "sub", "up"));
    const seen = await collect([at("top")]);
    expect(names(seen)).toEqual(["problem top/sub/up", "file top/sub/x.json"]);
    expect(seen[0]).toMatchObject({
      code: "LDS_E_INPUT_UNREADABLE",
      message: `${at("top", "sub", "up")}: symbolic link loop (leads back to ${at("top")})`,
    });
  });

  test("a link to itself (ELOOP) is a problem", async () => {
    mkdirSync(at("d"));
    symlinkSync("self", at("d", "self"));
    const seen = await collect([at("d")]);
    expect(seen).toEqual([
      {
        kind: "problem",
        name: at("d", "self"),
        code: "LDS_E_INPUT_UNREADABLE",
        message: `${at("d", "self")}: symbolic link loop (too many levels of symbolic links)`,
      },
    ]);
  });

  test("a dangling link is a missing problem that says so", async () => {
    symlinkSync(at("gone.json"), at("dangling.json"));
    expect(await collect([at("dangling.json")])).toEqual([
      {
        kind: "problem",
        name: at("dangling.json"),
        code: "LDS_E_INPUT_MISSING",
        message: `${at("dangling.json")}: no such file or directory (dangling symbolic link)`,
      },
    ]);
  });

  test("a directory reached twice (a link to a sibling) is walked once, the second time skipped", async () => {
    mkdirSync(at("folder.root", "real"), { recursive: true });
    writeFileSync(at("folder.root", "real", "x.json"), "{}");
    symlinkSync(at("folder.root", "real"), at("folder.root", "zlink"));
    const seen = await collect([at("folder.root")]);
    expect(names(seen)).toEqual(["file folder.root/real/x.json", "skipped folder.root/zlink"]);
    expect(seen[1]).toMatchObject({ reason: `same directory as ${at("folder.root", "real")}, already scanned` });
  });

  test("a file reached twice (named twice, named and in a named folder, a link, a hard link) is given once, then skipped", async () => {
    mkdirSync(at("logs"));
    writeFileSync(at("logs", "a.json"), "{}");
    linkSync(at("logs", "a.json"), at("logs", "hard.json"));
    symlinkSync(at("logs", "a.json"), at("logs", "soft.json"));
    writeFileSync(at("logs", "other.json"), "{}");
    const seen = await collect([at("logs"), at("logs", "a.json"), at("logs", "other.json")]);
    expect(names(seen)).toEqual([
      "file logs/a.json",
      "skipped logs/hard.json",
      "file logs/other.json",
      "skipped logs/soft.json",
      "skipped logs/a.json",
      "skipped logs/other.json",
    ]);
    const first = { a: at("logs", "a.json"), other: at("logs", "other.json") };
    expect(seen.filter((s) => s.kind === "skipped").map((s) => (s as { reason: string }).reason)).toEqual([
      `same file as ${first.a}, already scanned`,
      `same file as ${first.a}, already scanned`,
      `same file as ${first.a}, already scanned`,
      `same file as ${first.other}, already scanned`,
    ]);
  });

  test("followSymlinks: false skips links met while walking, but follows a named one", async () => {
    mkdirSync(at("d"));
    writeFileSync(at("t.json"), "{}");
    symlinkSync(at("t.json"), at("d", "l.json"));
    symlinkSync(at("t.json"), at("named.json"));
    const seen = await collect([at("d"), at("named.json")], { followSymlinks: false });
    expect(names(seen)).toEqual(["skipped d/l.json", "file named.json"]);
  });
});

describe("special files", () => {
  const canMkfifo = (() => {
    try {
      execFileSync("mkfifo", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

  test.skipIf(!canMkfifo)("a fifo met while walking is skipped; a named fifo is read as a stream", async () => {
    mkdirSync(at("d"));
    execFileSync("mkfifo", [at("d", "pipe")]);
    expect(await collect([at("d")])).toEqual([
      { kind: "skipped", name: at("d", "pipe"), reason: "named pipe (fifo), not read" },
    ]);

    // A writer on the other end, as `<(zcat x)` would be.
    const writer = execFileSync("sh", [
      "-c",
      `(printf '{"EventID":11}\\n' > '${at("d", "pipe")}') >/dev/null 2>&1 & echo started`,
    ]);
    expect(writer.toString().trim()).toBe("started");
    const seen = await collect([at("d", "pipe")]);
    expect(seen).toEqual([
      { kind: "stream", name: at("d", "pipe"), explicit: true, head: '{"EventID":11}\n', text: '{"EventID":11}\n' },
    ]);
  });
});

describe("stdin", () => {
  test("- reads the given stdin stream, explicit, head and chunks from offset 0", async () => {
    const data = Buffer.from('{"EventID":11}\n'.repeat(10_000));
    const [item] = await collect(["-"], { stdin: fakeStdin(data, 777) });
    expect(item).toMatchObject({ kind: "stream", name: "-", explicit: true });
    if (item?.kind !== "stream") throw new Error("expected a stream");
    expect(item.head).toBe(data.subarray(0, SNIFF_BYTES).toString("latin1"));
    expect(item.text).toBe(data.toString("latin1"));
  });

  test("an empty stdin is an item with an empty head", async () => {
    expect(await collect(["-"], { stdin: fakeStdin(Buffer.alloc(0)) })).toEqual([
      { kind: "stream", name: "-", explicit: true, head: "", text: "" },
    ]);
  });

  test("- named twice: read once, the second is a usage problem", async () => {
    const seen = await collect(["-", "-"], { stdin: fakeStdin(Buffer.from("{}")) });
    expect(seen.map((s) => s.kind)).toEqual(["stream", "problem"]);
    expect(seen[1]).toMatchObject({ code: "LDS_E_USAGE", name: "-" });
  });

  test("a failing stdin is one LDS_E_INPUT_UNREADABLE problem", async () => {
    const { Readable } = await import("node:stream");
    const broken = new Readable({
      read() {
        this.destroy(new Error("EIO: i/o error, read"));
      },
    });
    expect(await collect(["-"], { stdin: broken })).toEqual([
      { kind: "problem", name: "-", code: "LDS_E_INPUT_UNREADABLE", message: "-: EIO: i/o error, read" },
    ]);
  });

  test("stdin that fails after the head throws from chunks, named, and is not reported twice", async () => {
    const { Readable } = await import("node:stream");
    let sent = 0;
    const broken = new Readable({
      read() {
        if (sent++ < 3) this.push(Buffer.alloc(SNIFF_BYTES, 0x7b));
        else this.destroy(new Error("EIO: i/o error, read"));
      },
    });
    const seen = await collect(["-"], { stdin: broken });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: "stream", thrown: "-: EIO: i/o error, read [LDS_E_INPUT_UNREADABLE]" });
  });
});
