/**
 * Interned values (issue 12): the distinct byte strings of the decided hits' Computer, process
 * name and TargetFilename, each given a small id, so that the TypeScript side builds each string
 * once (src/wasm/matcher.ts keeps them by id) instead of once per hit: a file dense with hits
 * repeats a few hosts, one Task Manager path and a few dump names.
 *
 * The caller lays out an open-addressing table (hash, address, length + 1 per entry; length 0 is
 * an empty entry) and a store for the bytes, and resets both between reads of the hits table
 * when they fill up ({@link internsNearlyFull}); until then {@link intern} answers -1 for a new
 * value that does not fit, and the TypeScript side decodes that one from its span.
 */

/** Entries in the table (a power of two); at most half are used. */
export const INTERN_SLOTS: i32 = 4096;
/** Bytes per table entry. */
export const INTERN_ENTRY_BYTES: i32 = 16;
/** Values longer than this are not interned (file names are shorter). */
const MAX_INTERNED: usize = 1024;

let tableBase: usize = 0;
let storeBase: usize = 0;
let storeCapacity: usize = 0;
let storeUsed: usize = 0;
let count: i32 = 0;

/** Points the table at [table, table + INTERN_SLOTS * INTERN_ENTRY_BYTES) and the store at [store, store + storeBytes); empties both. */
export function configureInterns(table: usize, store: usize, storeBytes: usize): void {
  tableBase = table;
  storeBase = store;
  storeCapacity = storeBytes;
  resetInterns();
}

/** Forgets every interned value (ids start again at 0). */
export function resetInterns(): void {
  if (tableBase != 0) memory.fill(tableBase, 0, <usize>INTERN_SLOTS * <usize>INTERN_ENTRY_BYTES);
  storeUsed = 0;
  count = 0;
}

/** True when the table or the store is more than half full: time for the caller to reset. */
export function internsNearlyFull(): bool {
  return count >= INTERN_SLOTS / 4 || storeUsed > storeCapacity / 2;
}

/** Hash of [p, p + n): 8 bytes a step, multiply and rotate. */
function hashOf(p: usize, n: usize): u32 {
  let h: u64 = <u64>n * 0x9e3779b97f4a7;
  let i: usize = 0;
  while (i + 8 <= n) {
    h = rotl<u64>((h ^ load<u64>(p + i)) * 0xff51afd7ed559, 29);
    i += 8;
  }
  while (i < n) {
    h = (h ^ <u64>load<u8>(p + i)) * 0x100000001b3;
    i++;
  }
  h ^= h >> 32;
  return <u32>((h * 0xc4ceb9fe1a85f) >> 32);
}

/** True when [a, a + n) and [b, b + n) hold the same bytes (8 at a time). */
function sameBytes(a: usize, b: usize, n: usize): bool {
  let i: usize = 0;
  while (i + 8 <= n) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  while (i < n) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
    i++;
  }
  return true;
}

/**
 * The id of the bytes [p, p + n): the same id for the same bytes until the next
 * {@link resetInterns}; -1 when the value is too long or there is no room for a new one.
 */
export function intern(p: usize, n: usize): i32 {
  if (tableBase == 0 || n > MAX_INTERNED) return -1;
  const h = hashOf(p, n);
  const mask = <u32>INTERN_SLOTS - 1;
  let s = h & mask;
  while (true) {
    const e = tableBase + <usize>s * <usize>INTERN_ENTRY_BYTES;
    const len1 = load<u32>(e, 8);
    if (len1 == 0) break;
    if (load<u32>(e) == h && <usize>len1 - 1 == n && sameBytes(<usize>load<u32>(e, 4), p, n)) {
      return load<i32>(e, 12);
    }
    s = (s + 1) & mask;
  }
  if (count >= INTERN_SLOTS / 2 || storeUsed + n > storeCapacity) return -1;
  const e = tableBase + <usize>s * <usize>INTERN_ENTRY_BYTES;
  const at = storeBase + storeUsed;
  memory.copy(at, p, n);
  storeUsed += n;
  store<u32>(e, h);
  store<u32>(e, <u32>at, 4);
  store<u32>(e, <u32>n + 1, 8);
  store<i32>(e, count, 12);
  return count++;
}
