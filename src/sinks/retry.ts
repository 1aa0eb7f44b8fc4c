/**
 * How long to wait before trying a destination again: exponential backoff with full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter": sleep = random(0, min(cap,
 * base * 2^attempt))), unless the server said how long with `Retry-After` (RFC 9110 10.2.3).
 */

/** First backoff ceiling: the first retry waits up to 250 ms. */
export const BACKOFF_BASE_MS = 250;
/** Largest backoff ceiling: never more than 30 s between two tries. */
export const BACKOFF_CAP_MS = 30_000;

/** A full-jitter delay for retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Milliseconds a `Retry-After` value asks for (delay-seconds or an HTTP-date), or undefined
 * when the header is absent or unreadable. A date in the past is 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** `1.5 s`, `2m00s`: a duration for messages. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
