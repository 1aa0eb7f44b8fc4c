/**
 * The browser side of matcher-source.ts: a page compiles the matcher asynchronously
 * (WebAssembly.compileStreaming in src/web/index.ts's loadMatcher) before the first scanner,
 * so a synchronous compile here means the caller forgot that step.
 */

import { ScanError } from "../errors.js";

/** Always throws: in the browser, `await loadMatcher()` first. */
export function compileMatcherNow(_url: URL): WebAssembly.Module {
  throw new ScanError("LDS_E_USAGE", "the browser build needs `await loadMatcher()` before the first scanner");
}
