/**
 * The delivery loop shared by the HEC and webhook sinks (the transactional outbox pattern):
 * rows become alerts, alerts go to the spool (fsynced) before any is sent, then batches go out
 * (one at a time, or a few in flight when the transport says so). A batch the destination takes is marked done; a busy or unreachable
 * destination is retried with backoff until `deliverTimeoutMs`, then left in the spool; a batch
 * refused as bad data is cut in half until the one refused alert is found and dead-lettered; a
 * refused token or setting stops the sink at once. Nothing is lost: what was not delivered is
 * in the spool, and a replay sends it again with the same `alert_id`.
 */

import { ScanError } from "../errors.js";
import type { Row } from "../report/row.js";
import { type Alert, toAlert } from "./alert-id.js";
import { DEFAULT_BATCH_ALERTS } from "./delivery-defaults.js";
import { redactSecrets } from "./redact.js";
import { backoffDelay, formatDuration, sleep } from "./retry.js";
import type { RowSink, SinkSummary } from "./row-sink.js";
import { type SpoolKind, SpoolSegment, writeDeadLetter } from "./spool.js";

/** What became of one batch. */
export type SendOutcome =
  /** The destination took every alert (and acknowledged it, when acks are asked for). */
  | { kind: "delivered" }
  /** Busy, unreachable or no answer: try again later (after `retryAfterMs` when the server said). */
  | { kind: "retry"; reason: string; retryAfterMs?: number | undefined }
  /** The token or a setting was refused: sending more cannot help. */
  | { kind: "fatal"; reason: string }
  /** The destination refused the data: some alert in the batch is bad. */
  | { kind: "rejected"; reason: string };

/** How alerts reach one destination (HEC, webhook). */
export interface AlertTransport {
  /** The spool folder the destination's segments go to. */
  readonly kind: SpoolKind;
  /** The destination, as a user would name it (no credentials). */
  readonly name: string;
  /** One alert as it goes on the wire (a HEC event, a JSON array element). */
  encode(alert: Alert): string;
  /**
   * Sends one batch; never throws for the destination's failures. `deadline` is epoch ms;
   * `signal` (Ctrl-C) cancels the request, which then counts as not delivered.
   */
  send(
    batch: readonly Alert[],
    encoded: readonly string[],
    deadline: number,
    signal?: AbortSignal,
  ): Promise<SendOutcome>;
  /**
   * Batches this destination may have in flight at once: 1 keeps order and load low; HEC with
   * acks uses more, since each batch mostly waits for the indexers, not the network.
   */
  readonly inFlight?: number;
  /** Extra counts for the summary (HEC's sent and acked). */
  counts(): { sent: number; acked?: number | undefined };
  /** Releases connections. */
  close(): Promise<void>;
}

/**
 * Knobs of the outbox.
 *
 * @example
 * ```ts
 * const outbox: OutboxOptions = { spoolDir: "/var/spool/lds", deliverTimeoutMs: 30_000, onNote: (l) => console.error(l) };
 * ```
 */
export interface OutboxOptions {
  /** The spool folder. */
  spoolDir: string;
  /** How long one batch may be retried before it is left in the spool (ms). */
  deliverTimeoutMs: number;
  /** Most alerts in one request. */
  maxBatchAlerts?: number | undefined;
  /** Most bytes of encoded alerts in one request. */
  maxBatchBytes?: number | undefined;
  /** Secrets to mask in every message (the token, the webhook secret). */
  secrets?: readonly (string | undefined)[] | undefined;
  /** Progress notes for stderr (a retry, a dead letter); already redacted. */
  onNote?: ((line: string) => void) | undefined;
  /** Stops sending (Ctrl-C): the request in flight is cancelled, the rest stays in the spool. */
  signal?: AbortSignal | undefined;
  /**
   * For a sink that lives long (follow mode): after a batch was retried for `deliverTimeoutMs`
   * without success, pause this long and try again, instead of stopping for good. A refused
   * token or setting still stops the sink. Unset: a one-shot run stops and leaves the rest to
   * `deliver`.
   */
  resumeAfterMs?: number | undefined;
}

export { DEFAULT_BATCH_ALERTS } from "./delivery-defaults.js";
/** Default batch bytes: 512 KiB, well below HEC's default max_content_length (800 MB; 1 MB before 8.x). */
export const DEFAULT_BATCH_BYTES = 512 * 1024;

interface Item {
  alert: Alert;
  encoded: string;
  /** Where the alert is spooled; undefined when the spool could not be written (sent from memory). */
  segment: SpoolSegment | undefined;
}

/**
 * What the summary of an outbox sink adds to the contract's.
 *
 * @example
 * ```ts
 * const summary: OutboxSummary = await sink.close();
 * if (summary.undelivered > 0) console.error(`${summary.spooled} alerts wait in ${summary.spool}`);
 * ```
 */
export interface OutboxSummary extends SinkSummary {
  sent: number;
  acked?: number;
  spooled: number;
  deadLettered: number;
  /** The spool folder. */
  spool: string;
  /** Why the sink stopped sending, when it did. */
  stopped?: string | undefined;
  /**
   * Alerts the spool could not take (a full disk) that were not delivered either: sent from
   * memory, they are gone with this process (counted in `undelivered`, not in `spooled`).
   */
  unspooled?: number | undefined;
  /** Why the spool could not be written, when it could not. */
  spoolError?: string | undefined;
}

/**
 * A RowSink that delivers through an {@link AlertTransport} with a spool behind it
 * ({@link hecSink} and {@link webhookSink} make one).
 *
 * @example
 * ```ts
 * const sink = hecSink({ url, token }, { spoolDir, deliverTimeoutMs: 120_000 });
 * await sink.resumeSpool(); // what earlier runs left, same alert_ids (the `deliver` command)
 * await sink.close();
 * ```
 */
export class OutboxSink implements RowSink {
  readonly name: string;
  private readonly queue: Item[] = [];
  private readonly segments: SpoolSegment[] = [];
  private segment: Promise<SpoolSegment> | undefined;
  private pumping: Promise<void> | undefined;
  private stopReason: string | undefined;
  /** Why sending pauses (the destination gave no success for `deliverTimeoutMs`), until the timer. */
  private pauseReason: string | undefined;
  private pauseTimer: NodeJS.Timeout | undefined;
  private delivered = 0;
  private deadLettered = 0;
  /** alert_ids in memory only (the spool could not take them), not yet delivered or dead-lettered. */
  private readonly unspooled = new Set<string>();
  private spoolError: string | undefined;
  /** The spool failure the last write met (noted once while it lasts), undefined once a write spools. */
  private spoolFailing: string | undefined;
  private readonly maxAlerts: number;
  private readonly maxBytes: number;

  constructor(
    private readonly transport: AlertTransport,
    private readonly options: OutboxOptions,
  ) {
    this.name = transport.name;
    this.maxAlerts = options.maxBatchAlerts ?? DEFAULT_BATCH_ALERTS;
    this.maxBytes = options.maxBatchBytes ?? DEFAULT_BATCH_BYTES;
  }

  private redact(text: string): string {
    return redactSecrets(text, this.options.secrets ?? []);
  }

  private note(line: string): void {
    this.options.onNote?.(this.redact(`${this.name}: ${line}`));
  }

  /**
   * Spools the rows (fsynced) and starts sending them. When the spool cannot be written (a
   * full disk), they are sent from memory all the same (as Fluent Bit does when its filesystem
   * buffer fails): a note says so, and the summary counts those not delivered as `unspooled`.
   */
  async write(rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    // Follow mode gives alerts with their id already (src/follow/alert-throttle.ts); rows get one here.
    const alerts = rows.map((row) => ("alert_id" in row ? (row as Alert) : toAlert(row)));
    // One segment per run, made on the first rows (a run without alerts leaves no file).
    // One that could not be made (a full disk) is tried again at the next write: a follower
    // outlives the outage.
    if (this.segment === undefined) {
      const making: Promise<SpoolSegment> = SpoolSegment.create(this.options.spoolDir, this.transport.kind).then(
        (created) => {
          this.segments.push(created);
          return created;
        },
        (err: unknown) => {
          if (this.segment === making) this.segment = undefined;
          throw err;
        },
      );
      this.segment = making;
    }
    let segment: SpoolSegment | undefined;
    try {
      segment = await this.segment;
      await segment.append(alerts);
      if (this.spoolFailing !== undefined) this.note("the spool takes alerts again");
      this.spoolFailing = undefined;
    } catch (err) {
      if (!(err instanceof ScanError && err.code === "LDS_E_SINK")) throw err;
      segment = undefined;
      this.spoolError = err.message;
      for (const alert of alerts) this.unspooled.add(alert.alert_id);
      // A follower writes one alert at a time: one line while the same failure lasts.
      if (this.spoolFailing !== err.message) {
        const n = alerts.length;
        const these = n === 1 ? "1 alert" : `${n} alerts`;
        this.note(
          `${err.message}; ${these} (and any more while this lasts) sent from memory (not spooled: lost if not delivered before this process ends)`,
        );
      }
      this.spoolFailing = err.message;
    }
    for (const alert of alerts) this.queue.push({ alert, encoded: this.transport.encode(alert), segment });
    this.kick();
  }

  /**
   * Queues what earlier runs left in the spool for this destination kind (same ids) and starts
   * sending it. Returns how many alerts were queued, which segments a live process holds, and
   * lines that could not be read back (a crash in the middle of spooling them).
   */
  async resumeSpool(): Promise<{ queued: number; busy: string[]; damaged: { path: string; lines: number }[] }> {
    const { segments, busy } = await SpoolSegment.openLeftovers(this.options.spoolDir, this.transport.kind);
    let queued = 0;
    const damaged = segments.filter((s) => s.damagedLines > 0).map((s) => ({ path: s.path, lines: s.damagedLines }));
    for (const segment of segments) {
      this.segments.push(segment);
      for (const alert of segment.pending()) {
        this.queue.push({ alert, encoded: this.transport.encode(alert), segment });
        queued++;
      }
    }
    this.kick();
    return { queued, busy, damaged };
  }

  private kick(): void {
    if (this.pumping !== undefined || this.stopReason !== undefined || this.pauseReason !== undefined) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.queue.length > 0 && this.stopReason === undefined && this.pauseReason === undefined) this.kick();
    });
  }

  /** Puts a batch back (it is still in the spool) and pauses sending for `resumeAfterMs`. */
  private pause(batch: readonly Item[], reason: string, resumeAfterMs: number): void {
    this.queue.unshift(...batch);
    if (this.pauseReason !== undefined) return; // another lane paused already
    this.pauseReason = this.redact(reason);
    this.note(`${reason}; the alerts wait in the spool; trying again in ${formatDuration(resumeAfterMs)}`);
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = undefined;
      this.pauseReason = undefined;
      this.kick();
    }, resumeAfterMs);
    this.pauseTimer.unref(); // a paused sink never keeps the process alive
  }

  private async pump(): Promise<void> {
    const lanes = Array.from({ length: Math.max(1, this.transport.inFlight ?? 1) }, async () => {
      while (this.queue.length > 0 && this.stopReason === undefined && this.pauseReason === undefined) {
        const batch = this.takeBatch();
        try {
          await this.deliver(batch);
        } catch (err) {
          // The spool could not be written (a full disk failed a done mark or a dead letter).
          // A long-lived sink waits for the disk like it waits for the destination: the alerts
          // not yet marked go back (one delivered but not marked is sent again, same alert_id).
          const resumeAfter = this.options.resumeAfterMs;
          if (err instanceof ScanError && err.code === "LDS_E_SINK" && resumeAfter !== undefined) {
            const left = batch.filter((i) => !this.isDone(i));
            if (!this.options.signal?.aborted) {
              this.pause(left, err.message, resumeAfter);
              return;
            }
          }
          this.stop(err instanceof ScanError ? err.message : `internal error: ${String(err)}`);
          return;
        }
      }
    });
    await Promise.all(lanes);
  }

  private takeBatch(): Item[] {
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && count < this.maxAlerts) {
      const size = this.queue[count]!.encoded.length;
      if (count > 0 && bytes + size > this.maxBytes) break;
      bytes += size;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private stop(reason: string): void {
    if (this.stopReason === undefined) this.stopReason = this.redact(reason);
  }

  /** True once an item is delivered or dead-lettered (marked in its segment, or gone from memory). */
  private isDone(item: Item): boolean {
    const id = item.alert.alert_id;
    return item.segment === undefined ? !this.unspooled.has(id) : item.segment.done.has(id);
  }

  private async markDone(batch: readonly Item[]): Promise<void> {
    const bySegment = new Map<SpoolSegment, string[]>();
    for (const item of batch) {
      if (item.segment === undefined) {
        this.unspooled.delete(item.alert.alert_id);
        continue;
      }
      const ids = bySegment.get(item.segment) ?? [];
      ids.push(item.alert.alert_id);
      bySegment.set(item.segment, ids);
    }
    for (const [segment, ids] of bySegment) await segment.markDone(ids);
  }

  /** Sends one batch until it is delivered, dead-lettered, or the sink stops. */
  private async deliver(batch: readonly Item[]): Promise<void> {
    const started = Date.now();
    const deadline = started + this.options.deliverTimeoutMs;
    const alerts = batch.map((i) => i.alert);
    const encoded = batch.map((i) => i.encoded);
    const signal = this.options.signal;
    for (let attempt = 0; this.stopReason === undefined; attempt++) {
      if (signal?.aborted) {
        this.stop("interrupted");
        return;
      }
      const outcome = await this.transport.send(alerts, encoded, deadline, signal);
      if (signal?.aborted && outcome.kind !== "delivered") {
        this.stop("interrupted");
        return;
      }
      switch (outcome.kind) {
        case "delivered":
          await this.markDone(batch);
          this.delivered += batch.length;
          return;
        case "fatal":
          this.stop(outcome.reason);
          return;
        case "rejected": {
          if (batch.length === 1) {
            const item = batch[0]!;
            if (item.segment !== undefined)
              await item.segment.deadLetter(item.alert, this.name, this.redact(outcome.reason));
            else {
              await writeDeadLetter(this.options.spoolDir, item.alert, this.name, this.redact(outcome.reason));
              this.unspooled.delete(item.alert.alert_id);
            }
            this.deadLettered++;
            this.note(`alert ${item.alert.alert_id} refused (${outcome.reason}); moved to the dead-letter file`);
            return;
          }
          const half = Math.ceil(batch.length / 2);
          await this.deliver(batch.slice(0, half));
          await this.deliver(batch.slice(half));
          return;
        }
        case "retry": {
          const remaining = deadline - Date.now();
          const asked = outcome.retryAfterMs;
          if (remaining <= 0 || (asked !== undefined && asked > remaining)) {
            const why =
              asked !== undefined && remaining > 0 ? `the server asked to wait ${formatDuration(asked)}, ` : "";
            const reason = `gave up after ${formatDuration(Date.now() - started)} (${why}--deliver-timeout ${formatDuration(this.options.deliverTimeoutMs)}): ${outcome.reason}`;
            const resumeAfter = this.options.resumeAfterMs;
            if (resumeAfter !== undefined && !signal?.aborted)
              this.pause(batch, reason, Math.max(resumeAfter, asked ?? 0));
            else this.stop(reason);
            return;
          }
          // "Retry-After: 0" (or a date gone by) answered again and again must not become a
          // tight loop of requests and notes: then the backoff decides.
          const wait = Math.min(asked !== undefined && asked > 0 ? asked : backoffDelay(attempt), remaining);
          this.note(`${outcome.reason}; retry ${attempt + 1} in ${formatDuration(wait)}`);
          await sleep(wait, signal);
        }
      }
    }
  }

  /** Waits for sending to finish (or stop), keeps what is left in the spool, and says what happened. */
  async close(): Promise<OutboxSummary> {
    while (this.pumping !== undefined) await this.pumping;
    if (this.pauseTimer !== undefined) clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    // Paused at the end: what it waited for is why the rest stays in the spool.
    if (this.pauseReason !== undefined) this.stop(this.pauseReason);
    let spooled = 0;
    for (const segment of this.segments) {
      try {
        spooled += await segment.release();
      } catch (err) {
        // Its lock or a delivered segment could not be removed (a file system gone read-only):
        // the alerts are still in it, the next `deliver` takes the stale lock over.
        if (!(err instanceof ScanError)) throw err;
        spooled += segment.pending().length;
        this.spoolError ??= err.message;
        this.note(err.message);
      }
    }
    await this.transport.close();
    const { sent, acked } = this.transport.counts();
    const unspooled = this.unspooled.size;
    const parts = [`${sent} sent`];
    if (acked !== undefined) parts.push(`${acked} acked`);
    parts.push(`${spooled} spooled`, `${this.deadLettered} dead-lettered`);
    if (unspooled > 0) parts.push(`${unspooled} lost (not spooled)`);
    const summary: OutboxSummary = {
      name: this.name,
      delivered: this.delivered,
      undelivered: spooled + this.deadLettered + unspooled,
      sent,
      ...(acked !== undefined ? { acked } : {}),
      spooled,
      deadLettered: this.deadLettered,
      spool: this.options.spoolDir,
      stopped: this.stopReason,
      ...(this.spoolError !== undefined ? { unspooled, spoolError: this.redact(this.spoolError) } : {}),
      detail: this.redact(
        `${this.name}: ${parts.join(", ")}${this.stopReason !== undefined ? `; stopped: ${this.stopReason}` : ""}`,
      ),
    };
    return summary;
  }
}
