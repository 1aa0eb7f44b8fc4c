/**
 * bench/loaded-code.ts, the measurement behind bench:check's `startup.js_budget_vs_loaded`: on a
 * small program of known files it must report each module the program loads (ES modules,
 * CommonJS by import and by require, JSON, wasm), with its exact size, and a module loaded by
 * `await import()` only on the run that imports it; so the guard cannot pass by counting nothing.
 */

import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoadedCode, measureLoadedCode } from "../bench/loaded-code.js";

/** The program: main.mjs and what it loads; lazy.mjs only when run with the argument `lazy`. */
const FILES: Record<string, string> = {
  "main.mjs": [
    'import { createRequire } from "node:module";',
    'import { value } from "./static.mjs";',
    'import imported from "./imported.cjs";',
    "const require = createRequire(import.meta.url);",
    'const required = require("./required.cjs");',
    'const data = require("./data.json");',
    // The smallest valid wasm module: the magic number and version 1.
    "new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));",
    'if (process.argv[2] === "lazy") await import("./lazy.mjs");',
    'if (process.argv[2] === "exit") process.exit(3);',
    "console.log(value + imported + required + data.n);",
  ].join("\n"),
  "static.mjs": "export const value = 1;\n",
  "imported.cjs": "module.exports = 2;\n",
  "required.cjs": 'module.exports = require("./nested.cjs") + 1;\n',
  "nested.cjs": "module.exports = 3;\n",
  "data.json": '{ "n": 4 }\n',
  "lazy.mjs": `export const lazy = "${"x".repeat(5000)}";\n`,
  "unused.mjs": "export const unused = 0;\n",
  // A worker thread and a child process that inherit --import <preload> must not replace the report.
  "spawner.mjs": [
    'import { spawnSync } from "node:child_process";',
    'import { Worker } from "node:worker_threads";',
    'import { value } from "./static.mjs";',
    'await new Promise((resolve) => new Worker(new URL("./static.mjs", import.meta.url)).on("exit", resolve));',
    'const child = spawnSync(process.execPath, [...process.execArgv, "-e", "0"]);',
    "process.exitCode = child.status + value - 1;",
  ].join("\n"),
};

let dir: string;
const url = (name: string) => pathToFileURL(join(dir, name)).href;
const size = (name: string) => statSync(join(dir, name)).size;
const loaded = (code: LoadedCode) => code.modules.map((m) => m.url).sort();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lds-loaded-code-test-"));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("measureLoadedCode", () => {
  it("reports every module a program loads, each with its size, and the wasm it compiles", async () => {
    const code = await measureLoadedCode([join(dir, "main.mjs")]);
    expect(code.run.status, code.run.stderr).toBe(0);
    const js = ["main.mjs", "static.mjs", "imported.cjs", "required.cjs", "nested.cjs"];
    expect(loaded(code)).toEqual([...js, "data.json"].map(url).sort());
    for (const m of code.modules) expect(m.bytes, m.url).toBe(size(m.url.slice(m.url.lastIndexOf("/") + 1)));
    expect(code.javascript).toEqual({ modules: 5, bytes: js.reduce((sum, name) => sum + size(name), 0) });
    expect(code.json).toEqual({ modules: 1, bytes: size("data.json") });
    expect(code.native).toEqual({ modules: 0, bytes: 0 });
    expect(code.wasm).toEqual({ modules: 1, bytes: 8 });
    const by = new Map(code.modules.map((m) => [m.url, m]));
    expect(by.get(url("static.mjs"))).toMatchObject({ kind: "javascript", loader: "import" });
    expect(by.get(url("imported.cjs"))).toMatchObject({ kind: "javascript", loader: "import" });
    expect(by.get(url("nested.cjs"))).toMatchObject({ kind: "javascript", loader: "require" });
  });

  it("counts a lazily imported module only on the run that imports it", async () => {
    const without = await measureLoadedCode([join(dir, "main.mjs")]);
    const withLazy = await measureLoadedCode([join(dir, "main.mjs"), "lazy"]);
    expect(withLazy.run.status, withLazy.run.stderr).toBe(0);
    expect(loaded(without)).not.toContain(url("lazy.mjs"));
    expect(loaded(withLazy)).toContain(url("lazy.mjs"));
    expect(withLazy.javascript.modules).toBe(without.javascript.modules + 1);
    expect(withLazy.javascript.bytes - without.javascript.bytes).toBe(size("lazy.mjs"));
    expect(loaded(withLazy)).not.toContain(url("unused.mjs"));
  });

  it("reports what was loaded before a process.exit, and the exit status", async () => {
    const code = await measureLoadedCode([join(dir, "main.mjs"), "exit"]);
    expect(code.run.status).toBe(3);
    expect(code.javascript.modules).toBe(5);
  });

  it("reports the main thread's modules when a worker thread and a child process inherit the preload", async () => {
    const code = await measureLoadedCode([join(dir, "spawner.mjs")]);
    expect(code.run.status, code.run.stderr).toBe(0);
    expect(loaded(code)).toEqual([url("spawner.mjs"), url("static.mjs")].sort());
  });

  it("throws when the process leaves no report", async () => {
    await expect(measureLoadedCode(["-e", "process.kill(process.pid, 'SIGKILL')"])).rejects.toThrow(/no report/);
  });
});
