/**
 * The follow mode's option values, apart from follow-command.ts so that `scan` can declare
 * `--throttle` and `--poll-interval` without loading the follower (src/follow/, the embedding
 * scanner and fflate) at start-up: follow-command.ts is imported only when `--follow` is given.
 */

import { ScanError } from "../errors.js";

/** Default safety-net poll interval beside fs.watch. */
export const DEFAULT_POLL_MS = 2000;

/** `500ms`, `30s`, `15m`, `24h`, `7d`, or a number of seconds. */
export function parseFollowDuration(flag: string, min: number) {
  return (value: string): number => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
    const unit = m?.[2] ?? "s";
    const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit] ?? 1000;
    const ms = m === null ? Number.NaN : Math.round(Number(m[1]) * scale);
    if (!(ms >= min))
      throw new ScanError(
        "LDS_E_USAGE",
        `${flag} wants a duration like 500ms, 30s, 15m or 24h${min > 0 ? ` (at least ${min}ms)` : ""}, got "${value}"`,
      );
    return ms;
  };
}
