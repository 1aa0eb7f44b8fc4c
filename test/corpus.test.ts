/**
 * Golden tests on the real public corpus in ../shared/corpus (skipped with a message where it
 * is absent, as in a user's clone): the CLI prints the expected rows byte for byte.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CORPUS, HAVE_CORPUS, ROOT, runCli } from "./helpers/cli.js";

const TEXT_PARTS = ["jsonl", "json-evtxdump", "xml", "archives"];

if (!HAVE_CORPUS) {
  console.warn(`skipping corpus golden tests: ${CORPUS} is absent (it exists only beside the project's own checkout)`);
}

describe.skipIf(!HAVE_CORPUS)("../shared/corpus golden rows", () => {
  for (const engine of ["wasm", "reference"]) {
    it(`text parts print EXPECTED-text.jsonl byte for byte (${engine} engine)`, () => {
      const r = runCli(["scan", ...TEXT_PARTS.map((p) => join(CORPUS, p)), "--format", "jsonl", "--engine", engine]);
      expect(r.stderr).not.toContain("problem");
      expect(r.stdout).toBe(readFileSync(join(CORPUS, "EXPECTED-text.jsonl"), "utf8"));
      expect(r.status).toBe(1);
    });

    it(`the whole corpus, EVTX included, prints EXPECTED.jsonl byte for byte (${engine} engine)`, () => {
      const r = runCli(["scan", CORPUS, "--format", "jsonl", "--engine", engine]);
      expect(r.stdout).toBe(readFileSync(join(CORPUS, "EXPECTED.jsonl"), "utf8"));
      expect(r.stderr).toMatch(/1 skipped/); // the corpus README.md
      expect(r.status).toBe(1);
    });

    it(`gives the same rows with 4 KiB shards and one worker (${engine} engine)`, () => {
      const r = runCli([
        "scan",
        CORPUS,
        "--format",
        "jsonl",
        "--engine",
        engine,
        "--shard-size",
        "4k",
        "--workers",
        "1",
      ]);
      expect(r.stdout).toBe(readFileSync(join(CORPUS, "EXPECTED.jsonl"), "utf8"));
    });
  }
});

describe("bundled demo data (npm start)", () => {
  it("scanning demo/ prints exactly the planted true positive", () => {
    const r = runCli(["scan", join(ROOT, "demo"), "--format", "jsonl"]);
    expect(r.stdout).toBe(readFileSync(join(ROOT, "test", "fixtures", "demo-expected.jsonl"), "utf8"));
    expect(r.status).toBe(1);
  });
});
