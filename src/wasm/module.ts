/**
 * The one loader of build/matcher.wasm: where each build lives, one compile cache per thread,
 * and one way to instantiate it. The text matcher (matcher.ts) and the EVTX prefilter
 * (evtx-prefilter.ts) are two typed views over the exports of the same module, so both come
 * from here. Pool workers get the compiled Module in workerData instead of compiling again.
 * build/ sits two levels above both src/wasm/*.ts and dist/wasm/*.js.
 */

import { compileMatcherNow } from "../platform/matcher-source.js";

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
    module = compileMatcherNow(matcherWasmUrl(build));
    compiled.set(build, module);
  }
  return module;
}

/**
 * Makes `module` the compiled matcher of `build` in this thread (the browser build compiles it
 * asynchronously and hands it over here; a worker gets it by postMessage).
 */
export function provideMatcherModule(module: WebAssembly.Module, build: MatcherBuild = "release"): void {
  compiled.set(build, module);
}

/**
 * The compiled matcher for handing to pool workers (a WebAssembly.Module survives structured
 * clone, so workers instantiate it without compiling again).
 */
export async function compiledMatcher(build: MatcherBuild = "release"): Promise<WebAssembly.Module> {
  return loadMatcherModule(build);
}

/** Exports every matcher build has: the text matcher's and the EVTX prefilter's first ones. */
const MATCHER_MARKS = ["heapBase", "nextCandidate", "evtxCandidates"];

/**
 * True when `module` looks like build/matcher.wasm: it imports only `env.memory` and exports
 * the matcher's functions. A caller's own `wasmModule` is checked with it when a scanner is
 * made, so that another module fails there, named, rather than at the first bytes pushed.
 */
export function isMatcherModule(module: WebAssembly.Module): boolean {
  const imports = WebAssembly.Module.imports(module);
  if (imports.length !== 1 || imports[0]?.module !== "env" || imports[0]?.kind !== "memory") return false;
  const functions = new Set(
    WebAssembly.Module.exports(module)
      .filter((e) => e.kind === "function")
      .map((e) => e.name),
  );
  return MATCHER_MARKS.every((name) => functions.has(name));
}

/**
 * Instantiates `module` over a fresh memory of `initialPages` 64 KiB pages. The build imports
 * only `env.memory` (asconfig.json: importMemory, runtime stub, no abort); callers grow the
 * memory to its final size once, before they make any view over it.
 */
export function instantiateMatcher(
  module: WebAssembly.Module,
  initialPages: number,
): { exports: WebAssembly.Exports; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: initialPages });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { exports: instance.exports, memory };
}
