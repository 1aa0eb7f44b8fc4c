/**
 * One role per folder, and imports only run downwards: a folder of src/ may import the folders
 * below it in LAYERS, never one above (scan/ never imports pool/, formats/ never imports the
 * engines, nothing imports the CLI). The README's architecture picture is this order.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

/**
 * Lowest first. `errors.ts` and `types/` sit below everything; `platform/` (the byte and wasm
 * helpers the browser build swaps, issue 15) below every layer; `web/` (the browser library) is
 * an entry point beside `index`; `generate/` is a tool beside the scan path.
 */
const LAYERS = [
  "platform",
  "rule",
  "report",
  "formats",
  "wasm",
  "source",
  "engine",
  "scan",
  "pool",
  "cluster",
  "streams",
  "sinks",
  "follow",
  "index",
  "web",
  "generate",
  "cli",
];
/**
 * Known upward imports, each to be moved: the embedding scanner (issue 11) gunzips pushed
 * pieces with scan/push-gunzip.ts, which belongs below the engines (or the scanner above scan/).
 */
const KNOWN_UPWARD = new Set([
  "src/engine/scan-core.ts -> ../scan/push-gunzip.js",
  // The same scanner names input of no format we read as the CLI does (an archive, a PNG).
  "src/engine/scan-core.ts -> ../scan/archive-kind.js",
  "src/engine/scan-core.ts -> ../scan/not-a-log.js",
]);
const BELOW_ALL = new Set(["errors", "types"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** The top folder of src/ a path is in (`index` for src/index.ts, `errors` for src/errors.ts). */
function layerOf(path: string): string {
  return (relative(join(ROOT, "src"), path).split(/[\\/]/)[0] as string).replace(/\.ts$/, "");
}

const SRC = sourceFiles(join(ROOT, "src"));

describe("layers", () => {
  it("src/ holds exactly the role folders", () => {
    const top = new Set(SRC.map(layerOf));
    expect([...top].sort()).toEqual([...LAYERS, ...BELOW_ALL].sort());
  });

  it("no import runs from a lower layer to a higher one", () => {
    const wrong: string[] = [];
    for (const file of SRC) {
      const from = layerOf(file);
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:from |import\()"(\.{1,2}\/[^"]+)"/g)) {
        const target = layerOf(join(file, "..", m[1] as string));
        if (target === from || BELOW_ALL.has(target)) continue;
        if (KNOWN_UPWARD.has(`${relative(ROOT, file)} -> ${m[1]}`)) continue;
        if (LAYERS.indexOf(target) > LAYERS.indexOf(from)) {
          wrong.push(`${relative(ROOT, file)} (${from}) imports ${m[1]} (${target})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
