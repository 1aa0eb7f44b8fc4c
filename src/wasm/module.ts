/**
 * Where the compiled matcher lives and how it is compiled: once per thread, then handed to
 * every instance (and to pool workers, which pass the Module in workerData instead of compiling
 * again). build/ sits two levels above both src/wasm/*.ts and dist/wasm/*.js.
 */

import { readFileSync } from "node:fs";

/** The two builds asconfig.json makes: `release` (-O3, no asserts) and `debug`. */
export type MatcherBuild = "release" | "debug";

/** File URL of a build's .wasm. */
export function matcherWasmUrl(build: MatcherBuild = "release"): URL {
  const file = build === "release" ? "matcher.wasm" : "matcher-debug.wasm";
  return new URL(`../../build/${file}`, import.meta.url);
}

const compiled = new Map<MatcherBuild, WebAssembly.Module>();

/** The compiled matcher of a build, compiled on first use in this thread. */
export function loadMatcherModule(build: MatcherBuild = "release"): WebAssembly.Module {
  let module = compiled.get(build);
  if (module === undefined) {
    module = new WebAssembly.Module(readFileSync(matcherWasmUrl(build)));
    compiled.set(build, module);
  }
  return module;
}

/**
 * The compiled matcher for handing to pool workers (a WebAssembly.Module survives structured
 * clone, so workers instantiate it without compiling again).
 */
export async function compiledMatcher(build: MatcherBuild = "release"): Promise<WebAssembly.Module> {
  return loadMatcherModule(build);
}
