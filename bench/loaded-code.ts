/**
 * What code a new Node process loads: every module it reads and compiles, with its size, counted
 * from inside the process (bench/loaded-code-preload.mjs and loaded-code-hooks.mjs). Start-up
 * time on a busy 2-core VM is too noisy to tell 300 KB of JavaScript at start from 600 KB; the
 * bytes are exact, so bench:check's `startup.js_budget_vs_loaded` guards them (issue 12's lazy
 * loading: the follower, fast-xml-parser, piscina, archives).
 *
 * Counted, main thread only:
 * - ES modules, from the loader's own `load` hook (module.register): their source bytes;
 * - CommonJS, JSON and native addons loaded by require() (also through createRequire, and
 *   CommonJS that an `import` loads): require.cache at exit, with each file's size on disk;
 * - WebAssembly: the bytes handed to WebAssembly.Module, compile and instantiate.
 * Not counted: Node's own builtin modules, files read as data (package.json lookups), code in
 * worker threads, and `eval`/`new Function` strings.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./data-store.js";
import { type ProcessResult, runProcess } from "./processes.js";

/** The preload that does the counting (`node --import`). */
export const LOADED_CODE_PRELOAD = join(REPO_ROOT, "bench", "loaded-code-preload.mjs");

/** What a loaded module is. */
export type LoadedKind = "javascript" | "json" | "native" | "other";

/** One module the process loaded. */
export interface LoadedModule {
  /** Its file: URL (or the URL it was loaded from). */
  url: string;
  kind: LoadedKind;
  /** Its source bytes (for require(): its size on disk; -1 where none could be read). */
  bytes: number;
  /** Which loader loaded it. */
  loader: "import" | "require";
}

/** A count of modules and their bytes. */
export interface LoadedTotal {
  modules: number;
  bytes: number;
}

/** Everything one process loaded, and how it ended. */
export interface LoadedCode {
  /** In the order the ES module loader met them, then require()'s in cache order. */
  modules: LoadedModule[];
  javascript: LoadedTotal;
  json: LoadedTotal;
  native: LoadedTotal;
  /** WebAssembly modules compiled, and their bytes. */
  wasm: LoadedTotal;
  /** The process's exit: the counts hold whatever it was. */
  run: ProcessResult;
}

/** What loaded-code-preload.mjs writes. */
interface RawReport {
  esm: { url: string; format: string | null; bytes: number }[];
  cjs: { filename: string; bytes: number }[];
  wasm: number[];
}

/**
 * Runs `node --import <preload> ...args` (a new process, standard output discarded) and returns
 * what it loaded. Throws when the process left no report (killed before its exit handlers ran).
 */
export async function measureLoadedCode(
  args: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<LoadedCode> {
  const dir = mkdtempSync(join(tmpdir(), "lds-loaded-code-"));
  try {
    const report = join(dir, "report.json");
    const run = await runProcess(process.execPath, ["--import", pathToFileURL(LOADED_CODE_PRELOAD).href, ...args], {
      discardStdout: true,
      timeoutMs: options.timeoutMs,
      env: { LDS_LOADED_CODE_REPORT: report },
    });
    let raw: RawReport;
    try {
      raw = JSON.parse(readFileSync(report, "utf8")) as RawReport;
    } catch {
      throw new Error(
        `loaded code of node ${args.join(" ")}: no report (exit ${run.status ?? run.signal}${run.timedOut ? ", timed out" : ""}): ${run.stderr.trim()}`,
      );
    }
    return summarize(raw, run);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function kindOfFile(name: string): LoadedKind {
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".node")) return "native";
  return "javascript";
}

function kindOfFormat(format: string | null, url: string): LoadedKind {
  if (format === "module" || format === "commonjs") return "javascript";
  if (format === "json") return "json";
  return format === null ? kindOfFile(url) : "other";
}

function summarize(raw: RawReport, run: ProcessResult): LoadedCode {
  const byUrl = new Map<string, LoadedModule>();
  for (const m of raw.esm) {
    if (m.url.startsWith("node:") || m.format === "builtin") continue;
    byUrl.set(m.url, { url: m.url, kind: kindOfFormat(m.format, m.url), bytes: m.bytes, loader: "import" });
  }
  for (const m of raw.cjs) {
    const url = pathToFileURL(m.filename).href;
    const seen = byUrl.get(url);
    // CommonJS that an `import` loaded: the loader gave no source, require.cache has the file.
    if (seen !== undefined && seen.bytes >= 0) continue;
    byUrl.set(url, { url, kind: kindOfFile(m.filename), bytes: m.bytes, loader: seen?.loader ?? "require" });
  }
  const modules = [...byUrl.values()];
  const total = (kind: LoadedKind): LoadedTotal => {
    const of = modules.filter((m) => m.kind === kind);
    return { modules: of.length, bytes: of.reduce((sum, m) => sum + Math.max(0, m.bytes), 0) };
  };
  return {
    modules,
    javascript: total("javascript"),
    json: total("json"),
    native: total("native"),
    wasm: { modules: raw.wasm.length, bytes: raw.wasm.reduce((a, b) => a + b, 0) },
    run,
  };
}
