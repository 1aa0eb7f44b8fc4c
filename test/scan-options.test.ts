/**
 * Strict options: the library checks workers, shardSize, inputFormat and engine like the CLI
 * and throws ScanError LDS_E_USAGE before reading anything; worker counts are capped at 4 per
 * core and at the number of tasks, with one note line when a chosen number is lowered.
 */

import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { scan } from "../src/index.js";
import { capWorkers, checkScanOptions, MAX_WORKERS_PER_CORE } from "../src/pool/scan-options.js";

/** A stdin that fails the test if anything reads it. */
function untouchedStdin(): { stream: Readable; wasRead: () => boolean } {
  let read = false;
  const stream = new Readable({
    read() {
      read = true;
      this.push(null);
    },
  });
  return { stream, wasRead: () => read };
}

describe("checkScanOptions", () => {
  it.each([
    [{ workers: 0 }, /workers wants a whole number of at least 1, got 0/],
    [{ workers: -3 }, /got -3/],
    [{ workers: "abc" }, /got "abc"/],
    [{ workers: 1.5 }, /got 1.5/],
    [{ shardSize: 0 }, /shardSize wants a whole number of bytes of at least 4096, got 0/],
    [{ shardSize: -1 }, /got -1/],
    [{ shardSize: 1 }, /got 1$/],
    [{ shardSize: Number.POSITIVE_INFINITY }, /got Infinity/],
    [{ inputFormat: "bogus" }, /unknown inputFormat "bogus" \(use xml, /],
    [{ engine: "turbo" }, /unknown engine "turbo" \(use wasm or reference\)/],
  ])("rejects %o", (options, message) => {
    expect(() => checkScanOptions(options)).toThrow(
      expect.objectContaining({ code: "LDS_E_USAGE", message: expect.stringMatching(message) }),
    );
  });

  it("accepts the defaults and good values", () => {
    expect(() => checkScanOptions({})).not.toThrow();
    expect(() =>
      checkScanOptions({ workers: 3, shardSize: 4096, inputFormat: "evtx", engine: "reference" }),
    ).not.toThrow();
  });
});

describe("scan() checks options before reading anything", () => {
  it.each([{ workers: 0 }, { shardSize: 0 }, { inputFormat: "bogus" }, { engine: "turbo" }])("%o", async (bad) => {
    const stdin = untouchedStdin();
    await expect(scan(["-"], { stdin: stdin.stream, ...(bad as object) })).rejects.toMatchObject({
      name: "ScanError",
      code: "LDS_E_USAGE",
    });
    expect(stdin.wasRead()).toBe(false);
  });
});

describe("capWorkers", () => {
  it("keeps a count within 4 per core and the tasks", () => {
    expect(capWorkers(2, 2, 10)).toEqual({ workers: 2 });
  });

  it("caps at 4 per core, saying so", () => {
    expect(capWorkers(1000, 2)).toEqual({
      workers: 2 * MAX_WORKERS_PER_CORE,
      note: "workers lowered from 1000 to 8 (at most 4 per core on 2 cores)",
    });
  });

  it("caps at the number of tasks, saying so", () => {
    expect(capWorkers(6, 2, 3)).toEqual({ workers: 3, note: "workers lowered from 6 to 3 (3 tasks to run)" });
    expect(capWorkers(1000, 2, 1)).toEqual({ workers: 1, note: "workers lowered from 1000 to 1 (1 task to run)" });
  });
});

describe("scan() checks the call itself before reading anything", () => {
  it.each([
    [
      "a lone string (one path per character, / among them)",
      "Sysmon.evtx",
      /inputs must be an array of paths \(got a string: pass \["Sysmon.evtx"\]\)/,
    ],
    ["no inputs", undefined, /inputs must be an array of paths \(got undefined undefined\)/],
    ["a number among the inputs", ["-", 123], /inputs\[1\] must be a path string \(got number 123\)/],
  ])("inputs: %s", async (_what, inputs, message) => {
    const stdin = untouchedStdin();
    await expect(scan(inputs as string[], { stdin: stdin.stream })).rejects.toMatchObject({
      name: "ScanError",
      code: "LDS_E_USAGE",
      message: expect.stringMatching(message),
    });
    expect(stdin.wasRead()).toBe(false);
  });

  it.each([
    ["a misspelt option", { wrokers: 2 }, /unknown option "wrokers"/],
    ["a stream option", { highWaterMark: 1 }, /unknown option "highWaterMark"/],
    ["carve as a string", { carve: "yes" }, /carve must be a boolean \(got "yes"\)/],
    ["onHit not a function", { onHit: 5 }, /onHit must be a function \(got number 5\)/],
    ["signal a boolean", { signal: true }, /signal must be an object \(got boolean true\)/],
    ["signal a plain object", { signal: {} }, /signal must be an AbortSignal/],
    ["suppression as text", { suppression: "dest=x" }, /suppression must be an object/],
    ["suppression not parsed", { suppression: {} }, /suppression must come from parseSuppression/],
    ["exclude as a string", { exclude: "out.json" }, /exclude must be an object/],
    ["exclude with a number", { exclude: [1] }, /exclude must be an array of paths/],
  ])("options: %s", async (_what, bad, message) => {
    const stdin = untouchedStdin();
    await expect(scan(["-"], { stdin: stdin.stream, ...(bad as object) })).rejects.toMatchObject({
      name: "ScanError",
      code: "LDS_E_USAGE",
      message: expect.stringMatching(message),
    });
    expect(stdin.wasRead()).toBe(false);
  });

  it("options that are not an object are refused; null is taken as none", async () => {
    await expect(scan(["-"], "fast" as never)).rejects.toMatchObject({
      code: "LDS_E_USAGE",
      message: 'options must be an object (got "fast")',
    });
    const outcome = await scan(["/nonexistent/lsass-dump-scan-input"], null as never);
    expect(outcome.problems.map((p) => p.code)).toContain("LDS_E_INPUT_MISSING");
  });
});
