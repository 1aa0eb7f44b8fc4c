/**
 * Event times: every layout the formats use, turned into one comparable UTC string.
 *
 * Sysmon's `UtcTime` (`2020-09-22 08:38:27.371`), XML `SystemTime`
 * (`2020-09-22T08:38:27.3710000Z`) and ECS `@timestamp` (`...Z` or `+hh:mm`) are the same
 * instant when they say the same thing. We keep full precision (up to nanoseconds) so min/max
 * are exact, and compare the normalized strings as plain strings.
 */

const TIME = /^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|z|[+-]\d{2}:?\d{2}|UTC)?\s*$/;

/**
 * Normalizes a time to `YYYY-MM-DDTHH:MM:SS.fffffffff` (UTC, 9 fraction digits), or "" when
 * it is missing or not one of the known layouts. A time without a zone is taken as UTC.
 *
 * @example
 * ```ts
 * normalizeTime("2024-03-05T10:11:12.1234567Z"); // "2024-03-05T10:11:12.123456700"
 * normalizeTime("2024-03-05 10:11:12.123"); // "2024-03-05T10:11:12.123000000"
 * ```
 */
export function normalizeTime(time: string | undefined): string {
  if (time === undefined) return "";
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
