/**
 * The verdict of `npm run bench:check`: ratios measured in one run, each against the least
 * value bench/thresholds.json allows. Only ratios of things measured side by side in the same
 * run are compared (never absolute times), so a slower or busier machine does not fail it, but
 * a fast path that stops being fast does.
 */

import { readFileSync } from "node:fs";

/** One threshold: the ratio must be at least `min`. */
export interface RatioThreshold {
  min: number;
  /** What the ratio compares, for people reading the file and the failure message. */
  what: string;
  /** Medians measured when the threshold was set, and where (for the next person to re-set it). */
  measured?: string;
}

/** bench/thresholds.json. */
export interface Thresholds {
  ratios: Record<string, RatioThreshold>;
}

/** One measured ratio, or why it could not be measured. */
export type MeasuredRatio = { value: number; detail?: string } | { missing: string };

/** The comparison of one ratio. */
export interface RatioVerdict {
  name: string;
  ok: boolean;
  line: string;
  /** True when a value was measured and is below the minimum (not: missing, unmeasured). */
  below?: boolean;
}

/** Reads and checks the shape of a thresholds file. */
export function loadThresholds(path: string): Thresholds {
  const data = JSON.parse(readFileSync(path, "utf8")) as Partial<Thresholds>;
  if (data.ratios === undefined || typeof data.ratios !== "object") throw new Error(`${path}: no "ratios" object`);
  for (const [name, t] of Object.entries(data.ratios)) {
    if (typeof t?.min !== "number" || !(t.min > 0)) throw new Error(`${path}: ratios.${name}.min must be a number > 0`);
  }
  return data as Thresholds;
}

/**
 * Compares every threshold with its measured ratio. A threshold with no measurement fails (a
 * check that silently measures less is a broken check); a measurement with no threshold is
 * listed but cannot fail.
 */
export function compareRatios(measured: ReadonlyMap<string, MeasuredRatio>, thresholds: Thresholds): RatioVerdict[] {
  const verdicts: RatioVerdict[] = [];
  for (const [name, threshold] of Object.entries(thresholds.ratios)) {
    const m = measured.get(name);
    if (m === undefined) {
      verdicts.push({ name, ok: false, line: `${name}: not measured (threshold ≥ ${threshold.min})` });
    } else if ("missing" in m) {
      verdicts.push({ name, ok: false, line: `${name}: could not be measured: ${m.missing}` });
    } else {
      const ok = m.value >= threshold.min;
      const detail = m.detail === undefined ? "" : ` [${m.detail}]`;
      verdicts.push({
        name,
        ok,
        below: !ok,
        line: `${name} = ${m.value.toFixed(2)} ${ok ? "≥" : "<"} ${threshold.min} (${threshold.what})${detail}`,
      });
    }
  }
  for (const [name, m] of measured) {
    if (name in thresholds.ratios) continue;
    const text = "missing" in m ? `not measured: ${m.missing}` : `= ${m.value.toFixed(2)}`;
    verdicts.push({ name, ok: true, line: `${name} ${text} (no threshold)` });
  }
  return verdicts;
}

/**
 * The ratios worth measuring once more: those measured below their minimum. A neighbour's burst
 * of work on a shared 2-core machine can sink one run's median (threads.small once read 0.88
 * against 0.9 with both sides running the same code), while a real regression is below in
 * every run; so bench:check measures these again, once, and the second value decides. Missing
 * or unmeasured ratios are never retried: they are broken, not noisy.
 */
export function ratiosToMeasureAgain(verdicts: readonly RatioVerdict[]): string[] {
  return verdicts.filter((v) => v.below === true).map((v) => v.name);
}

/**
 * The first run's measurements with the named ratios replaced by a second run's (a ratio the
 * second run did not measure counts as unmeasured: a retry never keeps a failing value
 * silently).
 */
export function withSecondMeasurement(
  first: ReadonlyMap<string, MeasuredRatio>,
  again: ReadonlyMap<string, MeasuredRatio>,
  names: readonly string[],
): Map<string, MeasuredRatio> {
  const merged = new Map(first);
  for (const name of names) {
    const m = again.get(name);
    merged.set(name, m ?? { missing: "not measured again after a first value below its minimum" });
  }
  return merged;
}
