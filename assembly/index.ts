/**
 * The matcher's exports. Only src/wasm/ calls them, through one loader (src/wasm/module.ts):
 * src/wasm/matcher.ts types the text matcher's exports, src/wasm/evtx-prefilter.ts the EVTX
 * prefilter's (evtxScratchBase, evtxCandidates, evtxContainsTaskmgr).
 *
 * The matcher finds things in bytes and does no I/O and no allocation: the caller owns the
 * memory (imported, sized once) and lays it out (hits table, decode scratch, input region).
 * Pipeline, as ripgrep splits matcher and searcher: prefilter (prefilter.ts) -> record bounds
 * (json-scan.ts, xml-scan.ts) -> confirm (json-parse.ts / xml-parse.ts, rule-check.ts) -> hits
 * (hits.ts). The TypeScript side turns hits into MatchedEvents with rule.ts's matchEvent, or,
 * for hits whose every test was decided here, builds them from the hit's interned strings
 * (intern.ts) and the time normalized here (time-normalize.ts).
 */

export { decodeJsonString, decodeXmlText } from "./decode";
export { configureHits, takeHits } from "./hits";
export { configureInterns, internsNearlyFull, resetInterns } from "./intern";
export {
  jsonScanBegin,
  jsonScanResume,
  jsonTailIsCompleteRecord,
  jsonWalkBegin,
  jsonWalkerInRecord,
  jsonWalkerIsClean,
  jsonWalkerJunkStart,
  jsonWalkerOpenRecord,
  jsonWalkFinish,
  jsonWalkResume,
  lastJsonSync,
  nextJsonSync,
  rebaseJsonWalker,
  resetJsonWalker,
  setJsonEarlierCandidate,
} from "./json-scan";
export { nextCandidate } from "./prefilter";
export { configureScratch } from "./rule-check";
export { clearMalformedLog, malformedLogAt, malformedLogged, resetStats, statsExamined, statsMalformed } from "./stats";
export { nextXmlClose, nextXmlOpen, xmlSafeEnd, xmlScanBegin, xmlScanResume } from "./xml-scan";

import { hitCount } from "./hits";
import { jsonOversizeEnd } from "./json-scan";
import { candidateKind } from "./prefilter";

/** First byte above the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

/** Hits written since the last takeHits(). */
export function hits(): i32 {
  return hitCount;
}

/** Kind of the last nextCandidate() result: 1 `.dmp`, 2 an escape. */
export function lastCandidateKind(): i32 {
  return candidateKind;
}

/** End of the oversize record a paused walk stopped at, or -1. */
export function jsonOversizeRecordEnd(): isize {
  return jsonOversizeEnd;
}

export * from "./evtx-prefilter";
