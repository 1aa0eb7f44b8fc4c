/**
 * Vitest global set-up: the debug build of the matcher (build/matcher-debug.wasm, asserts on)
 * is for tests only, so `npm install` builds just the release wasm and the tests build the
 * debug one here, when it is missing or older than assembly/ or asconfig.json.
 */

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DEBUG_WASM = join(ROOT, "build", "matcher-debug.wasm");

function newestSource(): number {
  const sources = [
    join(ROOT, "asconfig.json"),
    ...readdirSync(join(ROOT, "assembly")).map((f) => join(ROOT, "assembly", f)),
  ];
  return Math.max(...sources.map((f) => statSync(f).mtimeMs));
}

/** Builds the debug wasm when it is missing or stale. */
export default function setup(): void {
  if (existsSync(DEBUG_WASM) && statSync(DEBUG_WASM).mtimeMs >= newestSource()) return;
  const asc = join(ROOT, "node_modules", ".bin", "asc");
  execFileSync(asc, ["assembly/index.ts", "--target", "debug"], { cwd: ROOT, stdio: "inherit" });
}
