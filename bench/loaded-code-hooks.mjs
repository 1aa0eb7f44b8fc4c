// Module loader hooks of the loaded-code measurement (bench/loaded-code.ts), registered by
// loaded-code-preload.mjs. Node runs them on a thread of their own, so every module the process
// loads through its ES module loader is logged here, one JSON line a module, appended
// synchronously before the module is handed back to be evaluated: a process that exits at any
// point has logged everything it evaluated. CommonJS that require() loads never passes here on
// Node 20; the preload reads those from require.cache.
import { appendFileSync } from "node:fs";

/** The log file, from register()'s data. */
let log;

/** register()'s data: `{ log }`, the file to append to. */
export function initialize(data) {
  log = data.log;
}

/** Logs each loaded module's URL, format and source bytes (-1: no source, as for CommonJS and builtins). */
export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  const source = result.source;
  const bytes =
    source === null || source === undefined
      ? -1
      : typeof source === "string"
        ? Buffer.byteLength(source)
        : source.byteLength;
  appendFileSync(log, `${JSON.stringify({ url, format: result.format ?? null, bytes })}\n`);
  return result;
}
