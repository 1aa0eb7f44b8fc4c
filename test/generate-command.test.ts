/**
 * Issue 5: `lsass-dump-scan generate`. Options are validated into one-line usage errors, the
 * corpus and its expected rows land where asked, and the rows are what scanning the written
 * file gives.
 */

import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { generateOptionsFrom, registerGenerateCommand, rowsAsJsonLines } from "../src/cli/generate-command.js";
import { ScanError } from "../src/errors.js";
import { generateBuffer } from "../src/generate/corpus.js";
import { Aggregates } from "../src/report/aggregate.js";
import { toRows } from "../src/report/row.js";
import { tempDir } from "./helpers/cli.js";

function program(): Command {
  const p = new Command("lsass-dump-scan").exitOverride();
  registerGenerateCommand(p);
  return p;
}

function usageError(raw: Record<string, unknown>): ScanError {
  try {
    generateOptionsFrom(raw);
  } catch (err) {
    if (err instanceof ScanError) return err;
    throw err;
  }
  throw new Error("no error");
}

describe("generate options", () => {
  const ok = { format: "jsonl", size: "64k", out: "x.jsonl" };

  it("reads formats, sizes, seed and rate", () => {
    expect(generateOptionsFrom(ok)).toEqual({
      format: "flat",
      size: 65536,
      out: "x.jsonl",
      seed: 1,
      hitsPerGb: 64,
      expected: undefined,
    });
    expect(generateOptionsFrom({ ...ok, format: "XML", size: "4k" }).size).toBe(4096);
    expect(generateOptionsFrom({ ...ok, format: "ecs", size: "2g" }).size).toBe(2 * 2 ** 30);
    expect(generateOptionsFrom({ ...ok, format: "evtxdump", size: "1000" }).size).toBe(1000);
    expect(generateOptionsFrom({ ...ok, seed: "77", hitsPerGb: "2.5", expected: "rows.jsonl" })).toMatchObject({
      seed: 77,
      hitsPerGb: 2.5,
      expected: "rows.jsonl",
    });
  });

  it.each([
    [{ size: "64k", out: "x" }, /--format is required/],
    [{ ...ok, format: "evtx" }, /unknown --format 'evtx'/],
    [{ ...ok, size: undefined }, /--size is required/],
    [{ ...ok, size: "12q" }, /bad --size '12q'/],
    [{ ...ok, size: "-5" }, /bad --size/],
    [{ ...ok, out: undefined }, /--out FILE is required/],
    [{ ...ok, seed: "-1" }, /bad --seed '-1'/],
    [{ ...ok, seed: "abc" }, /bad --seed/],
    [{ ...ok, hitsPerGb: "many" }, /bad --hits-per-gb 'many'/],
    [{ ...ok, hitsPerGb: "-3" }, /bad --hits-per-gb/],
    [{ ...ok, out: "-" }, /name a file for the rows with --expected/],
    // sweep: `--expected -` wrote a file named "-"; the same file for both mixed them.
    [{ ...ok, out: "-", expected: "-" }, /name a file for the rows with --expected/],
    [{ ...ok, expected: "x.jsonl" }, /--expected x.jsonl is the --out file/],
    [{ ...ok, expected: "./x.jsonl" }, /--expected .\/x.jsonl is the --out file/],
    // sweep: past 2^53 bytes, reported as "cannot write" the output.
    [{ ...ok, size: "99999t" }, /bad --size '99999t'/],
  ])("rejects %o with a one-line usage error", (raw, message) => {
    const err = usageError(raw);
    expect(err.code).toBe("LDS_E_USAGE");
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain("\n");
  });
});

describe("generate command", () => {
  it("writes the corpus and the expected rows, which scanning the file reproduces", async () => {
    const dir = tempDir();
    const out = join(dir, "corpus.jsonl");
    const expected = join(dir, "expected.jsonl");
    await program().parseAsync(
      [
        "generate",
        "--format",
        "jsonl",
        "--size",
        "512k",
        "--out",
        out,
        "--seed",
        "3",
        "--hits-per-gb",
        "100000",
        "--expected",
        expected,
      ],
      { from: "user" },
    );
    const same = generateBuffer({ format: "flat", size: 512 * 1024, seed: 3, hitsPerGb: 100_000 });
    expect(statSync(out).size).toBe(same.bytes);
    expect(readFileSync(out).equals(same.buffer)).toBe(true);
    const text = readFileSync(expected, "utf8");
    expect(text).toBe(rowsAsJsonLines(same.rows));
    expect(same.rows.length).toBeGreaterThan(3);

    const { referenceEngine } = await import("../src/engine/reference-engine.js");
    const aggregates = new Aggregates();
    await referenceEngine.scanFile(out, "flat", (m) => aggregates.add(m));
    expect(rowsAsJsonLines(toRows(aggregates.entries()))).toBe(text);
  });

  it("turns a bad option into a usage error, not an exit", async () => {
    await expect(
      program().parseAsync(["generate", "--format", "csv", "--size", "1k", "--out", "x"], { from: "user" }),
    ).rejects.toMatchObject({ code: "LDS_E_USAGE" });
  });

  it("reports an unwritable output as a sink error naming it", async () => {
    const out = join(tempDir(), "no-such-dir", "corpus.xml");
    await expect(
      program().parseAsync(["generate", "--format", "xml", "--size", "1k", "--out", out, "--expected", `${out}.rows`], {
        from: "user",
      }),
    ).rejects.toMatchObject({ code: "LDS_E_SINK", input: out });
  });
});
