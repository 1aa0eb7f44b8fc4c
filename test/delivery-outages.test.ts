/**
 * Alert delivery when the destination fails as real ones do, beyond hec-sink.test.ts: a busy
 * HEC that says `Retry-After: 0` again and again, a HEC that takes the connection and never
 * answers, `https://` to a port that speaks plain HTTP, a load balancer's redirect, a name that
 * does not resolve, a proxy's HTML error page, a proxy that loses the ack channel header, an
 * ack endpoint that is busy before it answers. Each checks that no alert is lost (spooled or
 * delivered, counted), that the reason is one line without the token, and that it ends fast.
 * HEC's codes and bodies as Splunk documents them ("Troubleshoot HTTP Event Collector";
 * "About HTTP Event Collector Indexer Acknowledgment").
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { hecEndpoints, hecSink } from "../src/sinks/hec-sink.js";
import type { OutboxSummary } from "../src/sinks/outbox-sink.js";
import { webhookSink } from "../src/sinks/webhook-sink.js";
import { sampleRows } from "./helpers/alert-rows.js";
import { tempDir } from "./helpers/cli.js";
import { closedPort, type HecServerOptions, type StandInHec, startHec } from "./helpers/hec-server.js";

const TOKEN = "5b2e9d14-0c7a-4f3e-8a61-3d9c7e2b1f08";
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function hec(options: Partial<HecServerOptions> = {}): Promise<StandInHec> {
  const s = await startHec({ token: TOKEN, ...options });
  closers.push(() => s.close());
  return s;
}

/** A bare HTTP server for answers the HEC stand-in does not give (a redirect, an echo). */
async function bareServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function sendToHec(
  url: string,
  n: number,
  extra: { timeoutMs?: number; ack?: boolean } = {},
): Promise<{ summary: OutboxSummary; notes: string[]; ms: number }> {
  const notes: string[] = [];
  const sink = hecSink(
    { url, token: TOKEN, ack: extra.ack },
    { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: extra.timeoutMs ?? 1_500, onNote: (l) => notes.push(l) },
  );
  const started = Date.now();
  await sink.write(sampleRows(n));
  const summary = await sink.close();
  return { summary, notes, ms: Date.now() - started };
}

/** Nothing lost: every alert is either delivered or counted as waiting in the spool. */
function expectKept(summary: OutboxSummary, n: number): void {
  expect(summary.delivered + summary.spooled + summary.deadLettered).toBe(n);
  expect(summary.undelivered).toBe(summary.spooled + summary.deadLettered);
  expect(JSON.stringify(summary)).not.toContain(TOKEN);
}

describe("HEC outages", () => {
  it('"Retry-After: 0" again and again is backed off, not a tight loop of requests and notes', async () => {
    const server = await hec({ script: Array.from({ length: 10_000 }, () => ({ kind: "busy", retryAfter: "0" })) });
    const { summary, notes } = await sendToHec(server.url, 3, { timeoutMs: 1_000 });
    expectKept(summary, 3);
    expect(summary.spooled).toBe(3);
    expect(summary.stopped).toMatch(/gave up after 1\.\d s .*HTTP 503 \(HEC code 9: Server is busy\)/);
    // Backoff from 250 ms doubling: a handful of tries in a second, not hundreds.
    expect(server.eventRequests).toBeLessThan(20);
    expect(notes.length).toBeLessThan(20);
  });

  it("a HEC that takes the connection and never answers: given up at --deliver-timeout, alerts spooled", async () => {
    const server = await hec({ script: [{ kind: "slow", ms: 20_000 }] });
    const { summary, ms } = await sendToHec(server.url, 4, { timeoutMs: 800 });
    expectKept(summary, 4);
    expect(summary.spooled).toBe(4);
    expect(summary.stopped).toMatch(/gave up after .*--deliver-timeout 0\.8 s\): no answer within 1\.0 s/);
    expect(ms).toBeLessThan(5_000);
  });

  it("https:// to a port speaking plain HTTP stops at once with a hint, not retries with OpenSSL's internals", async () => {
    const server = await hec();
    const { summary, ms } = await sendToHec(server.url.replace("http:", "https:"), 2, { timeoutMs: 5_000 });
    expectKept(summary, 2);
    expect(summary.stopped).toBe(
      "TLS handshake failed (ERR_SSL_WRONG_VERSION_NUMBER): the server does not speak TLS on this port (http://?)",
    );
    expect(ms).toBeLessThan(2_000);
    expect(server.eventRequests).toBe(0);
  });

  it("a redirect (a load balancer sending http to https) stops and names where it points, without its query", async () => {
    const url = await bareServer((req, res) => {
      req.resume();
      res.writeHead(301, { location: "https://splunk.example:8088/services/collector/event?session=abc123" });
      res.end("<html><body>Moved Permanently</body></html>");
    });
    const { summary } = await sendToHec(url, 2);
    expectKept(summary, 2);
    expect(summary.stopped).toBe(
      "HTTP 301: redirected to https://splunk.example:8088/services/collector/event; use that --hec URL",
    );
    const notes: string[] = [];
    const hook = webhookSink(
      { url: `${url}/hooks/lsass` },
      { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 1_000, onNote: (l) => notes.push(l) },
    );
    await hook.write(sampleRows(1));
    const webhook = await hook.close();
    expect(webhook.stopped).toMatch(
      /^HTTP 301: redirected to https:\/\/splunk\.example:8088\/services\/collector\/event; use that --webhook URL$/,
    );
    expect(webhook.spooled).toBe(1);
  });

  it("a name that does not resolve (RFC 6761 .invalid) is retried until --deliver-timeout, then spooled", async () => {
    const { summary, ms } = await sendToHec("https://hec.no-such-host.invalid:8088", 2, { timeoutMs: 800 });
    expectKept(summary, 2);
    expect(summary.spooled).toBe(2);
    expect(summary.stopped).toMatch(
      /gave up after .*: (network error \(ENOTFOUND|network error \(EAI_AGAIN|no answer within)/,
    );
    expect(ms).toBeLessThan(5_000);
  });

  it("a proxy's HTML 502 page is retried and named by its first words; the token it echoes is masked", async () => {
    const url = await bareServer((req, res) => {
      req.resume();
      res.writeHead(502, { "content-type": "text/html" });
      // Some proxies echo the request headers on their error page.
      res.end(`<html><title>502 Bad Gateway</title>Authorization: ${req.headers.authorization}</html>`);
    });
    const { summary, notes } = await sendToHec(url, 2, { timeoutMs: 700 });
    expectKept(summary, 2);
    expect(summary.stopped).toMatch(/HTTP 502 \(<html><title>502 Bad Gateway<\/title>Authorization: Splunk <redacted>/);
    expect(notes.join("\n")).not.toContain(TOKEN);
  });

  it("with --hec-ack, code 11 (the channel header lost on the way) says so instead of asking for --hec-ack", async () => {
    const server = await hec({
      ack: true,
      script: [{ kind: "answer", status: 400, body: '{"text":"Invalid data channel","code":11}' }],
    });
    const { summary } = await sendToHec(server.url, 2, { ack: true });
    expectKept(summary, 2);
    expect(summary.stopped).toMatch(
      /HTTP 400 \(HEC code 11: Invalid data channel\): HEC did not accept this run's X-Splunk-Request-Channel/,
    );
    expect(summary.stopped).not.toMatch(/use --hec-ack/);
  });
  it("a 200 whose body never ends (a misdirected URL, a broken proxy) is read up to 64 KiB, not into the memory until the timeout", async () => {
    let requests = 0;
    const url = await bareServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {}
      };
      res.on("drain", pump);
      pump();
    });
    const { summary, ms } = await sendToHec(url, 2, { timeoutMs: 1_500 });
    expectKept(summary, 2);
    expect(summary.spooled).toBe(2);
    // Each answer ends at 64 KiB (not at the request timeout, which is the whole 1.5 s here).
    expect(summary.stopped).toMatch(
      /HTTP 200 without HEC's \{"code":0\} answer \(an answer of more than 64 KiB, cut there\)/,
    );
    expect(requests).toBeGreaterThan(1);
    expect(ms).toBeLessThan(4_000);
  });
});

describe("webhook outages", () => {
  it("a proxy's sign-in page answered with 200 is not taken for delivery: retried, then spooled", async () => {
    const url = await bareServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!DOCTYPE html><html><head><title>Sign in</title></head><body>Web proxy</body></html>");
    });
    const sink = webhookSink({ url: `${url}/hooks/lsass` }, { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 500 });
    await sink.write(sampleRows(3));
    const summary = await sink.close();
    expect(summary).toMatchObject({ delivered: 0, sent: 0, spooled: 3 });
    expect(summary.stopped).toMatch(/HTTP 200 with an HTML page, not the receiver's answer/);
  });

  it("a chat webhook's key in its path (Slack, Discord, Teams) is never in a message", async () => {
    const port = await closedPort();
    const key = "XXXXXXXXXXXXXXXXXXXXXXXX9f3k";
    const notes: string[] = [];
    const sink = webhookSink(
      { url: `http://127.0.0.1:${port}/services/T0AAAAAAA/B0BBBBBBB/${key}` },
      { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 500, onNote: (l) => notes.push(l) },
    );
    await sink.write(sampleRows(2));
    const summary = await sink.close();
    expect(summary.name).toBe(`webhook http://127.0.0.1:${port}/services/T0AAAAAAA/B0BBBBBBB/REDACTED`);
    expect(summary.spooled).toBe(2);
    expect(`${JSON.stringify(summary)}\n${notes.join("\n")}`).not.toContain(key);
  });
  it("user:password in the URL is sent as Basic auth (undici drops it silently: a 401 said to check the secret); never printed", async () => {
    const password = "p@ss w0rd!9";
    const expected = `Basic ${Buffer.from(`alice:${password}`).toString("base64")}`;
    const seen: (string | undefined)[] = [];
    const url = await bareServer((req, res) => {
      seen.push(req.headers.authorization);
      req.resume();
      const ok = req.headers.authorization === expected;
      res.writeHead(ok ? 200 : 401, ok ? {} : { "www-authenticate": 'Basic realm="soar"' });
      res.end(ok ? "{}" : "unauthorized");
    });
    const at = (user: string, pass: string) => url.replace("http://", `http://${user}:${encodeURIComponent(pass)}@`);
    const sink = webhookSink(
      { url: `${at("alice", password)}/hooks/lsass` },
      { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 1_000 },
    );
    await sink.write(sampleRows(2));
    expect(await sink.close()).toMatchObject({ delivered: 2, spooled: 0 });
    expect(seen).toEqual([expected]);

    const notes: string[] = [];
    const wrong = "Wr0ng%pass";
    const refused = webhookSink(
      { url: `${at("alice", wrong)}/hooks/lsass` },
      { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 1_000, onNote: (l) => notes.push(l) },
    );
    await refused.write(sampleRows(1));
    const summary = await refused.close();
    expect(summary).toMatchObject({ delivered: 0, spooled: 1 });
    expect(summary.stopped).toMatch(/^HTTP 401: the receiver refused us \(.*user:password in the --webhook URL/);
    const printed = `${JSON.stringify(summary)}\n${notes.join("\n")}`;
    for (const secret of [wrong, encodeURIComponent(wrong), password, "alice:"]) expect(printed).not.toContain(secret);
  });

  it("409 (the Idempotency-Key draft's 'a request with this key is still being processed') is retried, not a stop", async () => {
    const keys: string[] = [];
    const url = await bareServer((req, res) => {
      keys.push(String(req.headers["idempotency-key"]));
      req.resume();
      // The first request with a key is still in progress at the receiver's end: 409 until the second.
      const seen = keys.filter((k) => k === keys.at(-1)).length;
      res.writeHead(seen < 3 ? 409 : 200, { "content-type": "application/json" });
      res.end(seen < 3 ? '{"error":"request in progress"}' : '{"ok":true}');
    });
    const notes: string[] = [];
    const sink = webhookSink(
      { url: `${url}/hooks/lsass` },
      { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 5_000, onNote: (l) => notes.push(l) },
    );
    await sink.write(sampleRows(3));
    const summary = await sink.close();
    // Before: 'HTTP 409: not accepted (check the --webhook URL)', the sink stopped, 3 spooled.
    expect(summary).toMatchObject({ delivered: 3, spooled: 0, stopped: undefined });
    expect(new Set(keys).size).toBe(1);
    expect(notes[0]).toMatch(
      /HTTP 409: the receiver is still processing a request with this Idempotency-Key; retry 1 in/,
    );
  });

  it("a 2xx whose body never ends is a delivery (the status says so) after 64 KiB of it, not a wait until the timeout", async () => {
    const url = await bareServer((req, res) => {
      req.resume();
      res.writeHead(202, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {}
      };
      res.on("drain", pump);
      pump();
    });
    const sink = webhookSink(
      { url: `${url}/hooks/lsass` },
      { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 3_000 },
    );
    const started = Date.now();
    await sink.write(sampleRows(3));
    const summary = await sink.close();
    expect(summary).toMatchObject({ delivered: 3, sent: 3, spooled: 0 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("HEC behind a gateway", () => {
  it("a path prefix before /services/collector is kept for the ack endpoint too", () => {
    const at = hecEndpoints("https://gw.example/splunk/services/collector/event");
    expect(at.event).toBe("https://gw.example/splunk/services/collector/event");
    expect(at.ack).toBe("https://gw.example/splunk/services/collector/ack");
    expect(hecEndpoints("https://splunk:8088/services/collector/event/1.0").ack).toBe(
      "https://splunk:8088/services/collector/ack",
    );
  });
});

describe("HEC indexer acknowledgment across a Splunk restart", () => {
  it("an ackId the restarted HEC gives again never confirms the batch that was lost with it: that batch is sent again", async () => {
    // Batch A gets ackId 0 and waits; HEC restarts (A, not yet acknowledged, is lost; ackIds
    // start again); batch B gets ackId 0 too. A's wait must not take B's "true" for its own.
    const server = await hec({ ack: true, ackDelayMs: 400, script: [{ kind: "ok" }, { kind: "restart" }] });
    const rows = sampleRows(2);
    const notes: string[] = [];
    const sink = hecSink(
      { url: server.url, token: TOKEN, ack: true },
      { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 5_000, maxBatchAlerts: 1, onNote: (l) => notes.push(l) },
    );
    await sink.write(rows);
    const summary = await sink.close();
    expectKept(summary, 2);
    const indexed = new Set(server.indexed.map((e) => e.event.alert_id));
    expect(indexed.size).toBe(2); // both alerts are in the index: A was sent again
    expect(summary).toMatchObject({ delivered: 2, spooled: 0 });
    expect(notes.join("\n")).toMatch(/ackId 0 was given again: HEC restarted/);
  });
});
