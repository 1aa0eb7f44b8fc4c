/**
 * `npm run build:bench` compiles src/ and bench/ together into dist-bench/ (Node 20 cannot run
 * TypeScript), one folder deeper than dist/. Modules that find files relative to themselves
 * (build/matcher.wasm two or three levels up, package.json for the CLI's version) then look
 * inside dist-bench/, so dist-bench/build and dist-bench/package.json must point at the real
 * ones. dist-bench/src/bin points at dist/bin, so the pool's threads in the in-process
 * benchmarks start from the bundled worker (dist/bin/worker.js, built by build:bench too), as
 * the installed CLI's do. The runners make these links themselves at start, so a plain `tsc -p
 * bench/tsconfig.json` (or a neighbour's rebuild of dist-bench/) leaves a working tree.
 */

import { existsSync, lstatSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./data-store.js";

/**
 * Links dist-bench/build -> ../build, dist-bench/package.json -> ../package.json and
 * dist-bench/src/bin -> ../../dist/bin when missing.
 */
export function ensureBuildLinks(): void {
  const dist = join(REPO_ROOT, "dist-bench");
  if (!existsSync(dist)) throw new Error("bench: dist-bench/ is missing: run npm run build:bench");
  const links: [string, string][] = [
    ["build", join("..", "build")],
    ["package.json", join("..", "package.json")],
    [join("src", "bin"), join("..", "..", "dist", "bin")],
  ];
  for (const [name, target] of links) {
    const link = join(dist, name);
    let present = false;
    try {
      lstatSync(link);
      present = true;
    } catch {
      present = false;
    }
    if (!present) symlinkSync(target, link);
  }
  if (!existsSync(join(REPO_ROOT, "build", "matcher.wasm"))) {
    throw new Error("bench: build/matcher.wasm is missing: run npm run build:wasm (or npm run build) first");
  }
}
