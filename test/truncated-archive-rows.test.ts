/**
 * A compressed log cut short (a copy interrupted, a disk full) is a problem, and what was decoded
 * before the cut is scanned first (README, Archives: "after its decoded part was scanned"): the
 * same rows as the decoder's own output (`gzip -dc`, `zstd -dc`, `xz -dc` of the cut file) piped
 * into `scan -`, in both engines. The wasm engine lost up to 4 MiB of decoded text it held,
 * and the bzip2 reader the ~9 MB unbzip2-stream hands over when its input ends. The xz, bzip2
 * and zstd files are made and decoded by the real tools (skipped, naming the Debian package,
 * where one is missing).
 */

import { spawnSync } from "node:child_process";
import { Readable } from "node:stream";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { generateBuffer } from "../src/generate/corpus.js";
import { type Row, scan } from "../src/index.js";
import { folderPerTest, makeTar } from "./helpers/inputs-fixtures.js";
import { flatRecord, TRUE_POSITIVE } from "./helpers/seed-events.js";

const folder = folderPerTest();

describe("a truncated gzip: the decoded part's rows, then the problem", () => {
  const text = generateBuffer({ format: "flat", size: 12 * 1024 * 1024, seed: 21, hitsPerGb: 3000 }).buffer;
  const gz = gzipSync(text);
  const cut = gz.subarray(0, Math.floor(gz.length * 0.9));
  // What zlib decodes of the cut stream, as `gzip -dc` writes it before its error.
  const decoded = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });

  for (const engine of ["wasm", "reference"] as const) {
    it(`${engine}: the rows of the decoded bytes scanned as a whole input`, async () => {
      const path = folder.file("cut.json.gz", cut);
      const fromArchive = await scan([path], { engine, workers: 1 });
      const fromDecoded = await scan(["-"], { engine, workers: 1, stdin: Readable.from([decoded]) });
      expect(fromDecoded.problems).toEqual([]);
      expect(fromDecoded.rows.length).toBeGreaterThan(10);
      expect(fromArchive.rows).toEqual(fromDecoded.rows);
      expect(fromArchive.problems.map((p) => p.message)).toEqual([expect.stringMatching(/truncated gzip/)]);
    });
  }
});

/** Each row's event count by its group. */
function counts(rows: readonly Row[]): Map<string, number> {
  return new Map(rows.map((r) => [`${r.dest}|${r.process_name}|${r.TargetFilename}`, r.count]));
}

/** `got` holds at least `lower`'s events and at most `upper`'s, group by group. */
function within(lower: Map<string, number>, got: Map<string, number>, upper: Map<string, number>): boolean {
  for (const [group, n] of lower) if ((got.get(group) ?? 0) < n) return false;
  for (const [group, n] of got) if (n > (upper.get(group) ?? 0)) return false;
  return true;
}

/** [tool, Debian package] of each stream compression read besides gzip. */
const TOOLS = [
  ["xz", "xz-utils"],
  ["bzip2", "bzip2"],
  ["zstd", "zstd"],
] as const;

describe.each(TOOLS)("a truncated %s stream: the rows of what the tool itself decodes of it", (tool, pkg) => {
  const have = spawnSync(tool, ["--help"]).error === undefined;
  if (!have) console.warn(`truncated-archive-rows: ${tool} skipped, not installed (apt-get install -y ${pkg})`);
  it.skipIf(!have)("both engines", async () => {
    const text = generateBuffer({ format: "flat", size: 6 * 1024 * 1024, seed: 22, hitsPerGb: 3000 }).buffer;
    const packed = spawnSync(tool, ["-1", "-c"], { input: text, maxBuffer: 64 * 1024 * 1024 }).stdout;
    const cut = packed.subarray(0, Math.floor(packed.length * 0.9));
    // The tool writes what it decoded before it fails (its exit status says it failed).
    const decoded = spawnSync(tool, ["-dc"], { input: cut, maxBuffer: 64 * 1024 * 1024 }).stdout;
    expect(text.subarray(0, decoded.length).equals(decoded)).toBe(true);
    const path = folder.file(`cut.${tool}`, cut);
    for (const engine of ["wasm", "reference"] as const) {
      const fromArchive = await scan([path], { engine, workers: 1 });
      const fromDecoded = await scan(["-"], { engine, workers: 1, stdin: Readable.from([decoded]) });
      expect(fromDecoded.rows.length, engine).toBeGreaterThan(10);
      expect(fromArchive.problems.map((p) => p.message)).toEqual([expect.stringMatching(/truncated/)]);
      if (tool !== "bzip2") {
        expect(fromArchive.rows, engine).toEqual(fromDecoded.rows);
        continue;
      }
      // bzip2 1.0.8 writes its output in 5000-byte pieces and drops the last one when it meets
      // the cut; unbzip2-stream (like libbz2) hands over every CRC-checked block. So the rows lie
      // between those of the tool's output and of the original text 5000 bytes further.
      const further = text.subarray(0, decoded.length + 5000);
      const upper = await scan(["-"], { engine, workers: 1, stdin: Readable.from([further]) });
      expect(counts(fromArchive.rows), engine).toSatisfy((got: Map<string, number>) =>
        within(counts(fromDecoded.rows), got, counts(upper.rows)),
      );
    }
  });
});

describe("a small .tar.gz that lost its gzip trailer (CRC and size): every member is whole", () => {
  it("its members' rows, then the problem naming the .tar.gz (the tar was read to its end)", async () => {
    const members = ["a", "b"].map((host) => ({
      name: `${host}.json`,
      data: `${flatRecord({ ...TRUE_POSITIVE, computer: `${host}.corp.example` })}\n`,
    }));
    const tgz = gzipSync(await makeTar(members));
    const path = folder.file("cut.tar.gz", tgz.subarray(0, tgz.length - 8));
    for (const engine of ["wasm", "reference"] as const) {
      const outcome = await scan([path], { engine, workers: 1 });
      expect(
        outcome.rows.map((r) => r.dest),
        engine,
      ).toEqual(["a.corp.example", "b.corp.example"]);
      expect(outcome.problems.map((p) => [p.input, p.message])).toEqual([
        [path, "unexpected end of file (truncated gzip)"],
      ]);
    }
  });
});
