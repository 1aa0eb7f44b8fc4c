/**
 * Event times normalized in wasm, for hits the rule was decided on here: the common layouts of
 * src/rule/time.ts's normalizeTime (`YYYY-MM-DD[T ]HH:MM:SS[.,fraction]` with no zone, `Z`, `z`
 * or `UTC`, nothing around it) written as its 29-byte `YYYY-MM-DDTHH:MM:SS.fffffffff`, so the
 * TypeScript side makes one string and parses nothing. Anything else (an offset, white space,
 * seconds since 1970) is left to normalizeTime.
 */

/** Bytes of a normalized time. */
export const NORMALIZED_TIME_BYTES: usize = 29;

/** A byte the regular expression's `\d` takes (ASCII digits only: no `u` flag). */
function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

function digitsAt(p: usize, at: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (!isDigit(load<u8>(p + at + i))) return false;
  return true;
}

/**
 * Writes the normalized form of the time [p, p + n) at `dst` ({@link NORMALIZED_TIME_BYTES}
 * bytes); false, writing nothing, when its layout is not one handled here.
 */
export function normalizeTimeInto(p: usize, n: usize, dst: usize): bool {
  if (n < 19) return false;
  if (
    !digitsAt(p, 0, 4) ||
    load<u8>(p, 4) != 0x2d ||
    !digitsAt(p, 5, 2) ||
    load<u8>(p, 7) != 0x2d ||
    !digitsAt(p, 8, 2) ||
    (load<u8>(p, 10) != 0x54 && load<u8>(p, 10) != 0x20) ||
    !digitsAt(p, 11, 2) ||
    load<u8>(p, 13) != 0x3a ||
    !digitsAt(p, 14, 2) ||
    load<u8>(p, 16) != 0x3a ||
    !digitsAt(p, 17, 2)
  ) {
    return false;
  }
  let i: usize = 19;
  let fracStart: usize = 19;
  let fracEnd: usize = 19;
  if (i < n && (load<u8>(p + i) == 0x2e || load<u8>(p + i) == 0x2c)) {
    fracStart = ++i;
    while (i < n && isDigit(load<u8>(p + i))) i++;
    if (i == fracStart) return false;
    fracEnd = i;
  }
  const rest = n - i;
  if (rest == 1) {
    const z = <u32>load<u8>(p + i);
    if (z != 0x5a && z != 0x7a) return false;
  } else if (rest == 3) {
    if (load<u8>(p + i) != 0x55 || load<u8>(p + i, 1) != 0x54 || load<u8>(p + i, 2) != 0x43) return false;
  } else if (rest != 0) {
    return false;
  }
  memory.copy(dst, p, 19);
  store<u8>(dst, 0x54, 10); // T
  store<u8>(dst, 0x2e, 19); // .
  const fracLen = min<usize>(fracEnd - fracStart, 9);
  memory.copy(dst + 20, p + fracStart, fracLen);
  memory.fill(dst + 20 + fracLen, 0x30, 9 - fracLen);
  return true;
}
