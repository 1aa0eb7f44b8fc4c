// Preload of the loaded-code measurement (bench/loaded-code.ts): `node --import <this file>`,
// with LDS_LOADED_CODE_REPORT naming a report file; without it this file does nothing. In the
// main thread only (a worker thread inherits --import, and would overwrite the report), it
// - registers loaded-code-hooks.mjs, which logs every module the ES module loader loads;
// - counts the bytes of every WebAssembly module compiled (WebAssembly.Module, compile,
//   instantiate from bytes): a .wasm is read as data, so only its compile shows it;
// - at exit, writes the report: the hooks' log, require.cache (CommonJS, JSON and native
//   addons loaded by require(), with their size on disk) and the wasm byte counts.
// It is plain JavaScript because Node loads it before anything could compile TypeScript.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { isMainThread } from "node:worker_threads";

const report = process.env.LDS_LOADED_CODE_REPORT;
// A child process started with process.execArgv would run this preload again and overwrite the
// report; without the variable it does nothing (worker threads copy the environment, too).
delete process.env.LDS_LOADED_CODE_REPORT;

if (report !== undefined && report !== "" && isMainThread) {
  const esmLog = `${report}.esm`;
  writeFileSync(esmLog, "");
  register("./loaded-code-hooks.mjs", import.meta.url, { data: { log: esmLog } });

  const wasm = [];
  const bufferBytes = (source) =>
    ArrayBuffer.isView(source) || source instanceof ArrayBuffer ? source.byteLength : undefined;
  const count = (source) => {
    const bytes = bufferBytes(source);
    if (bytes !== undefined) wasm.push(bytes);
  };
  const { compile, instantiate } = WebAssembly;
  // A Proxy, not a subclass: `instanceof WebAssembly.Module` still holds for modules made elsewhere.
  WebAssembly.Module = new Proxy(WebAssembly.Module, {
    construct(target, args, newTarget) {
      count(args[0]);
      return Reflect.construct(target, args, newTarget);
    },
  });
  WebAssembly.compile = function compileCounted(...args) {
    count(args[0]);
    return compile.apply(this, args);
  };
  WebAssembly.instantiate = function instantiateCounted(...args) {
    count(args[0]);
    return instantiate.apply(this, args);
  };

  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () => {
    const cjs = [];
    for (const filename of Object.keys(cache)) {
      let bytes = -1;
      try {
        bytes = statSync(filename).size;
      } catch {}
      cjs.push({ filename, bytes });
    }
    const esm = readFileSync(esmLog, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line));
    writeFileSync(report, JSON.stringify({ esm, cjs, wasm }));
  });
}
