/**
 * Alert delivery benchmark (issue 13): alerts per second from 10,000 rows to a stand-in Splunk
 * HEC on 127.0.0.1 (test/helpers/hec-server.ts, node:http), side by side in one run: batches of
 * 100 (the default) and 1000, with indexer acknowledgment, a signed webhook, and the spool alone
 * (a transport that takes every batch at once), which is the floor the network adds to. Every
 * task first checks that the server got each of the 10,000 alert_ids, then is timed (tinybench,
 * medians). Each sample is a whole sink life: spool the rows (fsync), send, mark done, delete.
 *
 *   npm run build:bench && node dist-bench/bench/hec-delivery.bench.js
 *
 * Environment: LDS_BENCH_ALERTS (default 10000), LDS_BENCH_TIME_MS (default 3000).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import type { Row } from "../src/report/row.js";
import { alertId } from "../src/sinks/alert-id.js";
import { hecSink } from "../src/sinks/hec-sink.js";
import { type AlertTransport, OutboxSink } from "../src/sinks/outbox-sink.js";
import { webhookSink } from "../src/sinks/webhook-sink.js";
import { sampleRows } from "../test/helpers/alert-rows.js";
import { startHec } from "../test/helpers/hec-server.js";
import { startWebhookReceiver } from "../test/helpers/webhook-receiver.js";
import { machineInfo } from "./machine-info.js";

const ALERTS = Number(process.env.LDS_BENCH_ALERTS ?? 10_000);
const TIME_MS = Number(process.env.LDS_BENCH_TIME_MS ?? 3_000);
const TOKEN = "00000000-1111-4222-8333-444444444444";

/** Takes every batch at once: the cost of the spool and the outbox loop alone. */
const spoolOnly: AlertTransport = {
  kind: "hec",
  name: "spool only",
  encode: (a) => JSON.stringify(a),
  send: async () => ({ kind: "delivered" }),
  counts: () => ({ sent: 0 }),
  close: async () => {},
};

async function main(): Promise<void> {
  const rows: Row[] = sampleRows(ALERTS);
  const ids = new Set(rows.map((r) => alertId(r)));
  const hec = await startHec({ token: TOKEN });
  const hecAck = await startHec({ token: TOKEN, ack: true });
  const hook = await startWebhookReceiver();
  const spools: string[] = [];
  const spool = () => {
    const dir = mkdtempSync(join(tmpdir(), "lds-bench-spool-"));
    spools.push(dir);
    return dir;
  };
  const outbox = (batch: number) => ({ spoolDir: spool(), deliverTimeoutMs: 60_000, maxBatchAlerts: batch });

  const cases: [string, () => Promise<void>][] = [
    ["spool only (no network)", () => deliver(new OutboxSink(spoolOnly, outbox(100)))],
    ["HEC, batches of 100", () => deliver(hecSink({ url: hec.url, token: TOKEN }, outbox(100)))],
    ["HEC, batches of 1000", () => deliver(hecSink({ url: hec.url, token: TOKEN }, outbox(1000)))],
    [
      "HEC --hec-ack, batches of 100, 8 in flight (default)",
      () => deliver(hecSink({ url: hecAck.url, token: TOKEN, ack: true }, outbox(100))),
    ],
    [
      "HEC --hec-ack, batches of 100, 1 in flight",
      () => deliver(hecSink({ url: hecAck.url, token: TOKEN, ack: true, inFlight: 1 }, outbox(100))),
    ],
    ["webhook (signed), batches of 100", () => deliver(webhookSink({ url: hook.url, secret: "s" }, outbox(100)))],
  ];

  async function deliver(sink: OutboxSink): Promise<void> {
    // What the stand-ins keep is for the check below; drop the last sample's (memory stays flat).
    hec.indexed.length = 0;
    hecAck.indexed.length = 0;
    hook.requests.length = 0;
    await sink.write(rows);
    const summary = await sink.close();
    if (summary.delivered !== ALERTS) throw new Error(`${sink.name}: ${summary.delivered} of ${ALERTS} delivered`);
  }

  // Check first: each destination gets every alert_id exactly once per run.
  await cases[1]![1]();
  const got = new Set(hec.indexed.map((e) => e.event.alert_id));
  if (hec.indexed.length !== ALERTS || got.size !== ids.size || [...ids].some((id) => !got.has(id)))
    throw new Error(`stand-in HEC got ${hec.indexed.length} events, ${got.size} ids; expected ${ALERTS}`);
  await cases[5]![1]();
  const hooked = hook.requests.flatMap((r) => (JSON.parse(r.body) as { alert_id: string }[]).map((a) => a.alert_id));
  if (hooked.length !== ALERTS || new Set(hooked).size !== ALERTS)
    throw new Error("webhook did not get every alert once");

  const bench = new Bench({ time: TIME_MS, iterations: 3 });
  for (const [name, fn] of cases) bench.add(name, fn);
  await bench.run();

  console.log(`# alert delivery bench, ${new Date().toISOString()}`);
  for (const line of machineInfo()) console.log(`# ${line}`);
  console.log(`# ${ALERTS} alerts per sample, stand-in HEC on 127.0.0.1 in the same process; medians`);
  console.log("");
  console.log("| case | median ms | alerts/s | samples |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const [name] of cases) {
    const r = bench.getTask(name)?.result;
    if (r === undefined || !("latency" in r)) throw new Error(`${name}: no result`);
    const ms = r.latency.p50;
    console.log(`| ${name} | ${ms.toFixed(0)} | ${Math.round(ALERTS / (ms / 1000))} | ${r.latency.samplesCount} |`);
  }
  await Promise.all([hec.close(), hecAck.close(), hook.close()]);
  for (const dir of spools) rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
