/**
 * A webhook receiver on a free 127.0.0.1 port (node:http) that keeps every request's exact body
 * and headers, and answers with scripted statuses (then 200), so tests can check the signature,
 * the Idempotency-Key and retries.
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One POST as received. */
export interface WebhookRequest {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  requests: WebhookRequest[];
  close(): Promise<void>;
}

/** Starts a receiver answering `statuses` in order, then 200. */
export async function startWebhookReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const script = [...statuses];
  const requests: WebhookRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ body: Buffer.concat(chunks).toString("utf8"), headers: req.headers });
      const status = script.shift() ?? 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/lsass`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
