/**
 * The synthetic corpus generator's public face: whole corpora with their expected rows
 * (benchmarks, end-to-end tests) and single records with their expected fields (property tests).
 */

export {
  type BufferOptions,
  type CorpusOptions,
  type CorpusOutput,
  type CorpusResult,
  generateBuffer,
  generateCorpus,
} from "./corpus.js";
export { DECOY_VARIANTS, type DecoyVariant } from "./planted-events.js";
export { Prng } from "./prng.js";
export {
  type GeneratedRecord,
  type RandomRecordOptions,
  type RecordKind,
  randomRecord,
  sharedWorld,
} from "./random-record.js";
export { PLAIN_STYLE, type RenderStyle, randomStyle } from "./render-style.js";
export { GENERATED_FORMATS } from "./renderers.js";
