/**
 * The EVTX prefilter's two words in plain JavaScript: where `.dmp` starts and whether
 * `taskmgr` occurs, as assembly/evtx-prefilter.ts finds them (every byte offset, 8-bit or
 * UTF-16LE spelling, ASCII letters folded). The reference engine asks this only about a chunk
 * that holds a damaged record, to count that record exactly when the fast path would have
 * decoded it (evtx-chunk-searcher.ts), so it never runs on the hot path.
 */

/** `.dmp`, lower case: every matching TargetFilename ends with it. */
export const DMP_WORD = ".dmp";
/** `taskmgr`, lower case: every matching Image ends with `taskmgr.exe`. */
export const TASKMGR_WORD = "taskmgr";

function folded(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** True when `word` (lower-case ASCII) starts at `at` in 8 bits or in UTF-16LE, ASCII case ignored. */
function wordAt(bytes: Uint8Array, at: number, word: string): boolean {
  const n = word.length;
  let narrow = at + n <= bytes.length;
  for (let k = 0; narrow && k < n; k++) narrow = folded(bytes[at + k] as number) === word.charCodeAt(k);
  if (narrow) return true;
  if (at + 2 * n > bytes.length) return false;
  for (let k = 0; k < n; k++) {
    if (folded(bytes[at + 2 * k] as number) !== word.charCodeAt(k) || bytes[at + 2 * k + 1] !== 0) return false;
  }
  return true;
}

/**
 * Every offset in `bytes` where `word` (lower-case ASCII) starts, in either spelling, ignoring
 * ASCII case, ascending: the wasm prefilter's candidates.
 */
export function wordOffsets(bytes: Uint8Array, word: string): number[] {
  const out: number[] = [];
  const first = word.charCodeAt(0);
  for (let i = 0; i < bytes.length; i++) {
    if (folded(bytes[i] as number) === first && wordAt(bytes, i, word)) out.push(i);
  }
  return out;
}

/** True when `word` (lower-case ASCII) occurs in `bytes` in either spelling, ignoring ASCII case. */
export function holdsWord(bytes: Uint8Array, word: string): boolean {
  const first = word.charCodeAt(0);
  for (let i = 0; i < bytes.length; i++) {
    if (folded(bytes[i] as number) === first && wordAt(bytes, i, word)) return true;
  }
  return false;
}
