/**
 * `npm run build:bench` compiles src/ and bench/ together into dist-bench/ (Node 20 cannot run
 * TypeScript), one folder deeper than dist/. Modules that find files relative to themselves
 * (build/matcher.wasm two or three levels up, package.json for the CLI's version) then look
 * inside dist-bench/, so dist-bench/build and dist-bench/package.json must point at the real
 * ones. The runners make these links themselves at start, so a plain `tsc -p bench/tsconfig.json`
 * (or a neighbour's rebuild of dist-bench/) leaves a working tree.
 */

import { existsSync, lstatSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./data-store.js";

/** Links dist-bench/build -> ../build and dist-bench/package.json -> ../package.json when missing. */
export function ensureBuildLinks(): void {
  const dist = join(REPO_ROOT, "dist-bench");
  if (!existsSync(dist)) throw new Error("bench: dist-bench/ is missing: run npm run build:bench");
  for (const name of ["build", "package.json"]) {
    const link = join(dist, name);
    let present = false;
    try {
      lstatSync(link);
      present = true;
    } catch {
      present = false;
    }
    if (!present) symlinkSync(join("..", name), link);
  }
  if (!existsSync(join(REPO_ROOT, "build", "matcher.wasm"))) {
    throw new Error("bench: build/matcher.wasm is missing: run npm run build:wasm (or npm run build) first");
  }
}
