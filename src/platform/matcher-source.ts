/**
 * Where the compiled matcher comes from when nobody provided one: in Node, build/matcher.wasm
 * read from disk and compiled synchronously. The browser build swaps in
 * matcher-source.browser.ts (wasm is compiled asynchronously there, by loadMatcher()).
 */

import { readFileSync } from "node:fs";

/** Compiles the .wasm at `url` now. */
export function compileMatcherNow(url: URL): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(url));
}
