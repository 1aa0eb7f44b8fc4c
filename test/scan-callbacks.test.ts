/**
 * scan()'s callbacks are the caller's code (sweep): when onHit or onProgress throws, that error
 * ends the scan and scan() rejects with it, on a pool thread's result as on this thread's; it
 * is never reported as an unreadable input ("worker failed") with the scan carrying on.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateBuffer } from "../src/generate/corpus.js";
import { scan } from "../src/index.js";
import type { PoolStart } from "../src/pool/dispatcher.js";
import { scanParallel } from "../src/pool/parallel-scan.js";
import { tempDir } from "./helpers/cli.js";

const dir = tempDir("lds-callbacks-");
const files = [0, 1, 2, 3].map((i) => {
  const path = join(dir, `part-${i}.xml`);
  writeFileSync(path, generateBuffer({ format: "xml", size: 256 * 1024, seed: 60 + i, hitsPerGb: 40_000 }).buffer);
  return path;
});

describe("a throwing callback rejects the scan with the caller's error", () => {
  it.each(["always", "never"] as PoolStart[])("onHit, pool %s", async (poolStart) => {
    const bug = new Error("the caller's onHit failed");
    const problems: string[] = [];
    await expect(
      scanParallel(files, {
        engine: "wasm",
        workers: 2,
        shardSize: 64 * 1024,
        poolStart,
        onHit: () => {
          throw bug;
        },
        onProblem: (p) => problems.push(p.message),
      }),
    ).rejects.toBe(bug);
    expect(problems).toEqual([]);
  });

  it("onProgress, through scan()", async () => {
    const bug = new Error("the caller's onProgress failed");
    let calls = 0;
    const problems: string[] = [];
    await expect(
      scan(files, {
        workers: 2,
        shardSize: 64 * 1024,
        onProgress: () => {
          calls++;
          throw bug;
        },
        onProblem: (p) => problems.push(p.message),
      }),
    ).rejects.toBe(bug);
    expect(calls).toBe(1);
    expect(problems).toEqual([]);
  });

  it("without a throw the same scan finds the hits", async () => {
    let hits = 0;
    const outcome = await scan(files, { workers: 2, shardSize: 64 * 1024, onHit: () => hits++ });
    expect(hits).toBeGreaterThan(4);
    expect(outcome.problems).toEqual([]);
  });
});

describe("scan()'s outcome lists warnings beside problems, malformed and skipped (README, Library API)", () => {
  it("a gzip with trailing zeros: outcome.warnings is what onWarning heard, and nothing is a problem", async () => {
    const { gzipSync } = await import("node:zlib");
    const path = join(dir, "padded.xml.gz");
    writeFileSync(
      path,
      Buffer.concat([
        gzipSync(generateBuffer({ format: "xml", size: 4096, seed: 9, hitsPerGb: 0 }).buffer),
        Buffer.alloc(512),
      ]),
    );
    const heard: { input: string; message: string }[] = [];
    const outcome = await scan([path], { workers: 1, onWarning: (w) => heard.push(w) });
    expect(outcome.problems).toEqual([]);
    expect(heard).toHaveLength(1);
    expect(heard[0]?.input).toBe(path);
    expect(outcome.warnings).toEqual(heard);
  });
});
