/**
 * Issue 13: the HEC and webhook sinks against a stand-in HEC that speaks Splunk's protocol and
 * misbehaves on cue (503 bursts, 400 code 6, 403, slow acks, dropped connections, a crash
 * between indexing and answering). Every test checks that no alert is lost, that a duplicate only
 * ever carries the same alert_id, and that the token is never in a message or the spool.
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Row } from "../src/report/row.js";
import { alertId, toAlert } from "../src/sinks/alert-id.js";
import { hecEndpoints, hecSink } from "../src/sinks/hec-sink.js";
import type { OutboxSummary } from "../src/sinks/outbox-sink.js";
import { redactSecrets } from "../src/sinks/redact.js";
import { backoffDelay, parseRetryAfter } from "../src/sinks/retry.js";
import { idempotencyKey, webhookSink } from "../src/sinks/webhook-sink.js";
import { sampleRows } from "./helpers/alert-rows.js";
import { tempDir } from "./helpers/cli.js";
import { closedPort, type HecServerOptions, type StandInHec, startHec } from "./helpers/hec-server.js";
import { startWebhookReceiver } from "./helpers/webhook-receiver.js";

const TOKEN = "7f3c0a52-5e3b-4c1d-9f0e-8d6b2a1c4e77";
const servers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

async function hec(options: Partial<HecServerOptions> = {}): Promise<StandInHec> {
  const s = await startHec({ token: TOKEN, ...options });
  servers.push(s);
  return s;
}

/** Every file under a folder, recursively, as text. */
function spoolText(dir: string): string {
  if (!existsSync(dir)) return "";
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"))
    .join("\n");
}

function spoolFiles(dir: string, kind = "hec"): string[] {
  return existsSync(join(dir, kind)) ? readdirSync(join(dir, kind)) : [];
}

/** Sends rows through a HEC sink; returns the summary and the notes it printed. */
async function sendToHec(
  url: string,
  rows: readonly Row[],
  extra: { spool?: string; timeoutMs?: number; batch?: number; ack?: boolean; token?: string; index?: string } = {},
): Promise<{ summary: OutboxSummary; notes: string[]; spool: string }> {
  const spool = extra.spool ?? tempDir("lds-spool-");
  const notes: string[] = [];
  const sink = hecSink(
    { url, token: extra.token ?? TOKEN, ack: extra.ack, index: extra.index },
    {
      spoolDir: spool,
      deliverTimeoutMs: extra.timeoutMs ?? 10_000,
      maxBatchAlerts: extra.batch,
      onNote: (l) => notes.push(l),
    },
  );
  await sink.write(rows);
  const summary = await sink.close();
  return { summary, notes, spool };
}

/** Checks: every row's alert arrived, and alerts seen twice are identical. */
function expectAllOnce(server: StandInHec, rows: readonly Row[], { duplicatesAllowed = false } = {}): void {
  const byId = new Map<string, string>();
  for (const e of server.indexed) {
    const id = e.event.alert_id!;
    const text = JSON.stringify(e);
    if (byId.has(id)) expect(text).toBe(byId.get(id));
    byId.set(id, text);
  }
  expect([...byId.keys()].sort()).toEqual(rows.map((r) => alertId(r)).sort());
  if (!duplicatesAllowed) expect(server.indexed.length).toBe(rows.length);
}

describe("alert_id, redaction and backoff", () => {
  it("alert_id is the same for the same row in every run and differs between rows", () => {
    const [a, b] = sampleRows(2);
    expect(alertId(a!)).toBe(alertId(structuredClone(a!)));
    expect(alertId(a!)).toMatch(/^[0-9a-f]{64}$/);
    expect(alertId(a!)).not.toBe(alertId(b!));
    expect(alertId({ ...a!, count: a!.count + 1 })).not.toBe(alertId(a!));
    expect(Object.keys(toAlert(a!)).at(-1)).toBe("alert_id");
  });

  it("redacts Splunk tokens and named secrets", () => {
    expect(redactSecrets(`Authorization: Splunk ${TOKEN}`)).toBe("Authorization: Splunk <redacted>");
    expect(redactSecrets(`failed near ${TOKEN}`, [TOKEN])).not.toContain(TOKEN);
    expect(redactSecrets("Splunk HEC https://splunk:8088/services/collector/event")).toBe(
      "Splunk HEC https://splunk:8088/services/collector/event",
    );
  });

  it("backoff is full jitter under an exponential ceiling; Retry-After reads seconds and dates", () => {
    expect(backoffDelay(0, () => 0.999)).toBeLessThan(250);
    expect(backoffDelay(3, () => 0.999)).toBeLessThan(2000);
    expect(backoffDelay(3, () => 0.999)).toBeGreaterThan(1900);
    expect(backoffDelay(40, () => 0.999)).toBeLessThan(30_000);
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });

  it("--hec base URL gets HEC's event path; credentials in the URL are refused", () => {
    expect(hecEndpoints("https://splunk:8088").event).toBe("https://splunk:8088/services/collector/event");
    expect(hecEndpoints("https://splunk:8088/services/collector").event).toBe("https://splunk:8088/services/collector");
    expect(hecEndpoints("https://splunk:8088/x").ack).toBe("https://splunk:8088/services/collector/ack");
    expect(() => hecEndpoints("https://u:p@splunk:8088")).toThrow(/credentials/);
    expect(() => hecEndpoints("ftp://splunk")).toThrow(/http/);
  });
});

describe("HEC sink against the stand-in HEC", () => {
  it("sends each row as one HEC event in batches, envelope and event as the issue fixes them", async () => {
    const server = await hec();
    const rows = sampleRows(25);
    const { summary, spool } = await sendToHec(server.url, rows, { batch: 10, index: "soc" });
    expect(summary).toMatchObject({ delivered: 25, undelivered: 0, sent: 25, spooled: 0, deadLettered: 0 });
    expect(server.eventRequests).toBe(3);
    expectAllOnce(server, rows);
    const first = server.indexed[0]!;
    expect(Object.keys(first)).toEqual(["time", "host", "source", "sourcetype", "index", "event"]);
    expect(first).toMatchObject({
      host: rows[0]!.dest,
      source: "lsass-dump-scan",
      sourcetype: "lsass-dump-scan:alert",
    });
    expect(first.time).toBe(Date.parse(`${rows[0]!.lastTime}Z`) / 1000);
    expect(Object.keys(first.event)).toEqual([...Object.keys(rows[0]!), "alert_id"]);
    expect(spoolFiles(spool)).toEqual([]); // the finished segment is deleted
    expect(server.authorizations.every((a) => a === `Splunk ${TOKEN}`)).toBe(true);
  });

  it("batches are bounded by bytes too; rows written twice without waiting share one segment", async () => {
    const server = await hec();
    const rows = sampleRows(10);
    const spool = tempDir("lds-spool-");
    const sink = hecSink(
      { url: server.url, token: TOKEN },
      { spoolDir: spool, deliverTimeoutMs: 10_000, maxBatchBytes: 1500 },
    );
    await Promise.all([sink.write(rows.slice(0, 5)), sink.write(rows.slice(5))]);
    expect(spoolFiles(spool).filter((f) => f.endsWith(".ndjson"))).toHaveLength(1);
    expect(await sink.close()).toMatchObject({ delivered: 10, undelivered: 0 });
    expect(server.eventRequests).toBe(10); // one ~1 kB event per request under a 1.5 kB bound
    expectAllOnce(server, rows);
  });

  it("503 (code 9) twice, then 200: every row arrives once", async () => {
    const server = await hec({ script: [{ kind: "busy" }, { kind: "busy" }] });
    const rows = sampleRows(7);
    const { summary, notes } = await sendToHec(server.url, rows);
    expect(summary).toMatchObject({ delivered: 7, undelivered: 0 });
    expect(server.eventRequests).toBe(3);
    expectAllOnce(server, rows);
    expect(notes.join("\n")).toMatch(/HTTP 503 \(HEC code 9: Server is busy\); retry 1/);
  });

  it("honours Retry-After", async () => {
    const server = await hec({ script: [{ kind: "busy", retryAfter: "1" }] });
    const rows = sampleRows(2);
    await sendToHec(server.url, rows);
    expect(server.requestTimes[1]! - server.requestTimes[0]!).toBeGreaterThanOrEqual(990);
    expectAllOnce(server, rows);
  });

  it("400 code 6: the batch is bisected and only the refused alert is dead-lettered", async () => {
    const rows = sampleRows(8);
    const bad = rows[5]!;
    const server = await hec({ invalid: (e) => e.host === bad.dest });
    const { summary, spool } = await sendToHec(server.url, rows);
    expect(summary).toMatchObject({ delivered: 7, deadLettered: 1, spooled: 0, undelivered: 1 });
    expectAllOnce(
      server,
      rows.filter((r) => r !== bad),
    );
    const dead = readFileSync(join(spool, "deadletter.ndjson"), "utf8").trim().split("\n");
    expect(dead).toHaveLength(1);
    const letter = JSON.parse(dead[0]!);
    expect(letter.alert.alert_id).toBe(alertId(bad));
    expect(letter.reason).toMatch(/HEC code 6: Invalid data format/);
    expect(spoolFiles(spool)).toEqual([]);
  });

  it("403 (wrong token) stops at once; every alert stays in the spool; the token is nowhere", async () => {
    const server = await hec();
    const rows = sampleRows(30);
    const wrong = "0000dead-beef-4c1d-9f0e-8d6b2a1c4e77";
    const { summary, notes, spool } = await sendToHec(server.url, rows, { token: wrong, batch: 10 });
    expect(server.eventRequests).toBe(1);
    expect(summary).toMatchObject({ delivered: 0, spooled: 30, undelivered: 30 });
    expect(summary.stopped).toMatch(/HTTP 403 \(HEC code 4: Invalid token\): the HEC token was refused/);
    const everything = `${JSON.stringify(summary)}\n${notes.join("\n")}\n${spoolText(spool)}`;
    expect(everything).not.toContain(wrong);
    expect(spoolText(spool)).toContain(alertId(rows[29]!));
  });

  it("400 code 7 (incorrect index) stops at once with one clear reason", async () => {
    const server = await hec({ indexes: ["main"] });
    const { summary } = await sendToHec(server.url, sampleRows(3), { index: "nope" });
    expect(server.eventRequests).toBe(1);
    expect(summary.stopped).toMatch(/HEC code 7: Incorrect index\): check --hec-index/);
    expect(summary.spooled).toBe(3);
  });

  it("a 200 whose body is not HEC's {code:0} is a failure, never a success", async () => {
    const server = await hec({ script: [{ kind: "answer", status: 200, body: "<html>proxy login</html>" }] });
    const rows = sampleRows(3);
    const { summary, notes } = await sendToHec(server.url, rows);
    expect(notes.join("\n")).toMatch(/HTTP 200 without HEC's \{"code":0\} answer/);
    expect(summary).toMatchObject({ delivered: 3, undelivered: 0 });
    expect(server.eventRequests).toBe(2);
  });

  it("a dropped connection is retried: nothing lost, nothing doubled", async () => {
    const server = await hec({ script: [{ kind: "drop" }, { kind: "ok" }, { kind: "drop" }] });
    const rows = sampleRows(20);
    const { summary } = await sendToHec(server.url, rows, { batch: 10 });
    expect(summary).toMatchObject({ delivered: 20, undelivered: 0 });
    expectAllOnce(server, rows);
  });

  it("a crash between indexing and answering: resent, duplicates only with the same alert_id", async () => {
    const server = await hec({ script: [{ kind: "crash" }] });
    const rows = sampleRows(6);
    const { summary } = await sendToHec(server.url, rows);
    expect(summary).toMatchObject({ delivered: 6, undelivered: 0 });
    expect(server.indexed.length).toBe(12);
    expectAllOnce(server, rows, { duplicatesAllowed: true });
  });

  it("indexer acknowledgment: slow acks are polled until true; delivered means acked", async () => {
    const server = await hec({ ack: true, ackDelayMs: 700 });
    const rows = sampleRows(12);
    const { summary } = await sendToHec(server.url, rows, { ack: true, batch: 5 });
    expect(summary).toMatchObject({ delivered: 12, sent: 12, acked: 12, undelivered: 0 });
    expect(server.ackPolls).toBeGreaterThanOrEqual(3);
    expectAllOnce(server, rows);
  });

  it("an ack that never comes leaves the batch in the spool", async () => {
    const server = await hec({ ack: true, ackDelayMs: 60_000 });
    const { summary } = await sendToHec(server.url, sampleRows(2), { ack: true, timeoutMs: 1_200 });
    expect(summary).toMatchObject({ sent: 2, acked: 0, delivered: 0, spooled: 2 });
    expect(summary.stopped).toMatch(/no acknowledgment for ackId 0/);
  });

  it("--hec-ack against a token without acks (code 14 / no ackId) stops with a hint; a token wanting a channel too", async () => {
    const noAck = await hec();
    const r1 = await sendToHec(noAck.url, sampleRows(1), { ack: true });
    expect(r1.summary.stopped).toMatch(/indexer acknowledgment is off/);
    const wantsAck = await hec({ ack: true });
    const r2 = await sendToHec(wantsAck.url, sampleRows(1));
    expect(r2.summary.stopped).toMatch(
      /HEC code 10: Data channel is missing\): the token wants indexer acknowledgment/,
    );
  });

  it("no server: retried until --deliver-timeout, spooled; a later resume sends all with the same ids and empties the spool", async () => {
    const port = await closedPort();
    const rows = sampleRows(9);
    const first = await sendToHec(`http://127.0.0.1:${port}`, rows, { timeoutMs: 800, batch: 4 });
    expect(first.summary).toMatchObject({ delivered: 0, spooled: 9, undelivered: 9 });
    expect(first.summary.stopped).toMatch(/gave up after .*connection refused/);
    expect(spoolFiles(first.spool).filter((f) => f.endsWith(".ndjson"))).toHaveLength(1);
    expect(spoolFiles(first.spool).some((f) => f.endsWith(".lock"))).toBe(false);

    // A crash in the middle of spooling leaves a torn last line: counted, never sent.
    const segmentFile = join(first.spool, "hec", spoolFiles(first.spool).find((f) => f.endsWith(".ndjson"))!);
    appendFileSync(segmentFile, '{"dest":"torn');

    const server = await hec();
    const sink = hecSink({ url: server.url, token: TOKEN }, { spoolDir: first.spool, deliverTimeoutMs: 5_000 });
    const resumed = await sink.resumeSpool();
    expect(resumed.queued).toBe(9);
    expect(resumed.damaged).toEqual([{ path: segmentFile, lines: 1 }]);
    const summary = await sink.close();
    expect(summary).toMatchObject({ delivered: 9, undelivered: 0 });
    expectAllOnce(server, rows);
    expect(spoolFiles(first.spool)).toEqual([]);
  });
});

describe("webhook sink", () => {
  it("POSTs a JSON array with Idempotency-Key and an X-Signature-256 that verifies; 503 then 200 delivers once", async () => {
    const receiver = await startWebhookReceiver([503]);
    servers.push(receiver);
    const secret = "s3cret-for-hmac";
    const rows = sampleRows(5);
    const sink = webhookSink(
      { url: receiver.url, secret },
      { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 10_000 },
    );
    await sink.write(rows);
    const summary = await sink.close();
    expect(summary).toMatchObject({ delivered: 5, undelivered: 0 });
    expect(receiver.requests).toHaveLength(2);
    for (const req of receiver.requests) {
      const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(req.body).digest("hex")}`);
      const got = Buffer.from(String(req.headers["x-signature-256"]));
      expect(got.length === expected.length && timingSafeEqual(got, expected)).toBe(true);
      const alerts = JSON.parse(req.body) as { alert_id: string }[];
      expect(alerts.map((a) => a.alert_id)).toEqual(rows.map((r) => alertId(r)));
      expect(req.headers["idempotency-key"]).toBe(idempotencyKey(rows.map(toAlert)));
    }
    expect(receiver.requests[0]!.headers["idempotency-key"]).toBe(receiver.requests[1]!.headers["idempotency-key"]);
  });
});
