/**
 * Byte sizes as people type them: `4096`, `4k`, `64m`, `1g`, `1.5g`, also `64MiB` / `64MB`
 * (binary multiples either way: 1k = 1024 bytes, as in ripgrep's and dd's size flags).
 */

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses a size; returns undefined for anything that is not one (the caller words the error). */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (m === null) return undefined;
  const value = Number(m[1]) * (UNITS[(m[2] ?? "").toLowerCase()] ?? Number.NaN);
  // Past 2^53 a byte count is no longer exact: not a size anyone means.
  return Number.isSafeInteger(Math.floor(value)) && value >= 1 ? Math.floor(value) : undefined;
}
