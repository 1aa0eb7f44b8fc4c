/**
 * Event times: every layout the formats use, turned into one comparable UTC string.
 *
 * Sysmon's `UtcTime` (`2020-09-22 08:38:27.371`), XML `SystemTime`
 * (`2020-09-22T08:38:27.3710000Z`) and ECS `@timestamp` (`...Z` or `+hh:mm`) are the same
 * instant when they say the same thing; Velociraptor's `SystemTime` may also be a number of
 * seconds since 1970 (`1600763907.3710001`). We keep full precision (up to nanoseconds) so
 * min/max are exact, and compare the normalized strings as plain strings.
 */

const TIME = /^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|z|[+-]\d{2}:?\d{2}|UTC)?\s*$/;

/** Seconds since 1970 that still name a year of four digits (before 10000-01-01). */
const MAX_EPOCH_SECONDS = 253402300800;

/**
 * Seconds since 1970 (a JSON number) in the normalized form: the whole seconds through Date,
 * the fraction digits as the number's shortest decimal form writes them (the same digits
 * whichever engine read the number), so nothing is rounded.
 */
function normalizeEpochSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds >= MAX_EPOCH_SECONDS) return "";
  const whole = Math.floor(seconds);
  const text = String(seconds);
  const dot = text.indexOf(".");
  // Below 1e-6 String() switches to exponent notation; toFixed(9) then has every digit kept.
  const fraction = text.includes("e") ? seconds.toFixed(9).slice(2) : dot < 0 ? "" : text.slice(dot + 1);
  const ymdhms = new Date(whole * 1000).toISOString().slice(0, 19);
  return `${ymdhms}.${(fraction + "000000000").slice(0, 9)}`;
}

/**
 * Normalizes a time to `YYYY-MM-DDTHH:MM:SS.fffffffff` (UTC, 9 fraction digits), or "" when
 * it is missing or not one of the known layouts. A time without a zone is taken as UTC; a
 * number is seconds since 1970.
 *
 * @example
 * ```ts
 * normalizeTime("2024-03-05T10:11:12.1234567Z"); // "2024-03-05T10:11:12.123456700"
 * normalizeTime("2024-03-05 10:11:12.123"); // "2024-03-05T10:11:12.123000000"
 * normalizeTime(1600763907.3710001); // "2020-09-22T08:38:27.371000000" (Velociraptor)
 * ```
 */
export function normalizeTime(time: string | number | undefined): string {
  if (time === undefined) return "";
  if (typeof time === "number") return normalizeEpochSeconds(time);
  const m = TIME.exec(time);
  if (m === null) return "";
  const [, y, mo, d, h, mi, s, frac = "", zone = ""] = m as unknown as string[];
  const fraction = (frac + "000000000").slice(0, 9);
  let ymdhms = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  if (zone !== "" && zone !== "Z" && zone !== "z" && zone !== "UTC") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
    const ms =
      Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000;
    if (Number.isNaN(ms)) return "";
    ymdhms = new Date(ms).toISOString().slice(0, 19);
  }
  return `${ymdhms}.${fraction}`;
}

/**
 * Splunk's `security_content_ctime`: `%Y-%m-%dT%H:%M:%S`, the fraction cut off.
 *
 * @example
 * ```ts
 * ctime("2024-03-05T10:11:12.123456700"); // "2024-03-05T10:11:12"
 * ```
 */
export function ctime(normalized: string): string {
  return normalized.slice(0, 19);
}
