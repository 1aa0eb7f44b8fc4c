/**
 * Issue 13, end to end: `scan --hec/--webhook` and `deliver` as a user runs them, against the
 * stand-in HEC. Rows are always printed; an alert that is not delivered is in the spool and the
 * exit status is 2; `deliver` later sends it with the same alert_id; a process killed in the
 * middle of delivering loses nothing. The token is never in stdout, stderr or any spool file.
 */

import { createHmac } from "node:crypto";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Row } from "../src/report/row.js";
import { alertId } from "../src/sinks/alert-id.js";
import { flatLogWithHosts } from "./helpers/alert-rows.js";
import { tempDir } from "./helpers/cli.js";
import { runCliAsync, startCli } from "./helpers/cli-async.js";
import { closedPort, type HecServerOptions, type StandInHec, startHec } from "./helpers/hec-server.js";
import { startWebhookReceiver } from "./helpers/webhook-receiver.js";

const TOKEN = "5b1e9c3a-0d4f-4a7e-b2c8-19f6e0a3d5c1";
const servers: { close(): Promise<void> }[] = [];
let dir: string;
let log5: string;
let log60: string;

beforeAll(() => {
  dir = tempDir("lds-deliver-");
  log5 = join(dir, "five.jsonl");
  writeFileSync(log5, flatLogWithHosts(5));
  log60 = join(dir, "sixty.jsonl");
  writeFileSync(log60, flatLogWithHosts(60));
});

afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

async function hec(options: Partial<HecServerOptions> = {}): Promise<StandInHec> {
  const s = await startHec({ token: TOKEN, ...options });
  servers.push(s);
  return s;
}

function spoolFiles(spool: string): string[] {
  if (!existsSync(spool)) return [];
  return readdirSync(spool, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function spoolText(spool: string): string {
  return spoolFiles(spool)
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
}

/** alert_ids of the rows a jsonl run printed. */
function printedIds(stdout: string): string[] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => alertId(JSON.parse(l) as Row))
    .sort();
}

/** Every printed row reached the server; an alert seen twice was byte-identical. */
function expectDelivered(server: StandInHec, ids: readonly string[], { duplicatesAllowed = false } = {}): void {
  const seen = new Map<string, string>();
  for (const e of server.indexed) {
    const text = JSON.stringify(e);
    const id = e.event.alert_id!;
    if (seen.has(id)) expect(text).toBe(seen.get(id));
    seen.set(id, text);
  }
  expect([...seen.keys()].sort()).toEqual([...ids].sort());
  if (!duplicatesAllowed) expect(server.indexed).toHaveLength(ids.length);
}

const scanArgs = (input: string, url: string, spool: string, ...extra: string[]) => [
  "scan",
  input,
  "--format",
  "jsonl",
  "--no-progress",
  "--hec",
  url,
  "--spool",
  spool,
  ...extra,
];

describe("scan --hec", () => {
  it("through a server answering 503 twice then 200, every row arrives once; the token is nowhere", async () => {
    const server = await hec({ script: [{ kind: "busy" }, { kind: "busy" }] });
    const spool = join(dir, "spool-503");
    const r = await runCliAsync(scanArgs(log5, server.url, spool), { SPLUNK_HEC_TOKEN: TOKEN });
    expect(r.stderr).toMatch(/5 alerts, HEC: 5 sent, 0 spooled, 0 dead-lettered in/);
    expect(r.status).toBe(1);
    expect(printedIds(r.stdout)).toHaveLength(5);
    expectDelivered(server, printedIds(r.stdout));
    expect(spoolFiles(spool)).toEqual([]);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
  });

  it("with a wrong token: exit 2, rows on stdout, alerts in the spool, token nowhere", async () => {
    const server = await hec();
    const wrong = "11111111-2222-4333-8444-555555555555";
    const spool = join(dir, "spool-403");
    const r = await runCliAsync(scanArgs(log5, server.url, spool), { SPLUNK_HEC_TOKEN: wrong });
    expect(r.status).toBe(2);
    expect(printedIds(r.stdout)).toHaveLength(5);
    expect(r.stderr).toMatch(/HTTP 403 \(HEC code 4: Invalid token\): the HEC token was refused/);
    expect(r.stderr).toMatch(/5 alerts not delivered \(0 dead-lettered\); kept in the spool .*spool-403/);
    const spooled = spoolText(spool);
    for (const id of printedIds(r.stdout)) expect(spooled).toContain(id);
    expect(`${r.stdout}${r.stderr}${spooled}`).not.toContain(wrong);
    expect(server.indexed).toHaveLength(0);
  });

  it("with no server: exit 2 and the spool filled; deliver later sends all with the same ids and empties it", async () => {
    const port = await closedPort();
    const spool = join(dir, "spool-down");
    const url = `http://127.0.0.1:${port}`;
    const r = await runCliAsync(scanArgs(log5, url, spool, "--deliver-timeout", "1s"), { SPLUNK_HEC_TOKEN: TOKEN });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/gave up after .*connection refused/);
    expect(r.stderr).toMatch(/5 alerts not delivered/);
    const ids = printedIds(r.stdout);
    expect(spoolFiles(spool).some((f) => f.endsWith(".ndjson"))).toBe(true);

    const server = await hec();
    const env = { SPLUNK_HEC_TOKEN: TOKEN };
    const d = await runCliAsync(["deliver", "--spool", spool, "--hec", server.url], env);
    expect(d.stderr).toMatch(/deliver: 5 alerts in the spool, HEC: 5 sent, 0 spooled, 0 dead-lettered/);
    expect(d.status).toBe(0);
    expectDelivered(server, ids);
    expect(spoolFiles(spool)).toEqual([]);
    const again = await runCliAsync(["deliver", "--spool", spool, "--hec", server.url], env);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/deliver: 0 alerts in the spool/);
    expect(`${r.stderr}${d.stderr}`).not.toContain(TOKEN);
  });

  it("sweep: a --hec URL with a query string is not printed in the resend hint; a spool typo is one line", async () => {
    const port = await closedPort();
    const spool = join(dir, "spool-query");
    const url = `http://127.0.0.1:${port}/?token=Q5ECRET`;
    const r = await runCliAsync(scanArgs(log5, url, spool, "--deliver-timeout", "1s"), { SPLUNK_HEC_TOKEN: TOKEN });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `resend with: lsass-dump-scan deliver --spool ${spool} --hec http://127.0.0.1:${port}/?REDACTED`,
    );
    expect(r.stderr).not.toContain("Q5ECRET");
    // Before: `deliver --spool <typo>` said "0 alerts in the spool" and exit 0.
    const typo = await runCliAsync(["deliver", "--spool", `${spool}-typo`, "--hec", url], { SPLUNK_HEC_TOKEN: TOKEN });
    expect(typo.stderr).toBe(`lsass-dump-scan: deliver: --spool ${spool}-typo: no such directory\n`);
    expect(typo.status).toBe(2);
    // A file is no spool: said before the scan (it was found only when the alerts could not be spooled).
    const file = await runCliAsync(scanArgs(log5, url, log5), { SPLUNK_HEC_TOKEN: TOKEN });
    expect(file.stderr).toBe(`lsass-dump-scan: --spool ${log5}: not a directory\n`);
    expect(file.status).toBe(2);
    expect(file.stdout).toBe("");
  });

  it("killed in the middle of delivering: deliver resends what was left; no alert lost, duplicates only with the same alert_id", async () => {
    const server = await hec({ answerDelayMs: 120 });
    const spool = join(dir, "spool-kill");
    const run = startCli(scanArgs(log60, server.url, spool, "--deliver-batch", "5"), { SPLUNK_HEC_TOKEN: TOKEN });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (server.eventRequests >= 3) {
          clearInterval(timer);
          run.child.kill("SIGKILL");
          resolve();
        }
      }, 10);
    });
    const killed = await run.done;
    expect(killed.signal).toBe("SIGKILL");
    const ids = printedIds(killed.stdout);
    expect(ids).toHaveLength(60); // rows are printed before delivery starts
    expect(server.indexed.length).toBeLessThan(60);
    expect(spoolFiles(spool).some((f) => f.endsWith(".lock"))).toBe(true); // the dead process's lock

    const d = await runCliAsync(["deliver", "--spool", spool, "--hec", server.url], { SPLUNK_HEC_TOKEN: TOKEN });
    expect(d.status).toBe(0);
    expectDelivered(server, ids, { duplicatesAllowed: true });
    expect(server.indexed.length - 60).toBeLessThanOrEqual(5); // at most the batch in flight
    expect(spoolFiles(spool)).toEqual([]);
  });

  it("Ctrl-C while sending: stops at once, says how many alerts wait in the spool, exit 2; deliver sends them", async () => {
    const server = await hec({ answerDelayMs: 5_000 });
    const spool = join(dir, "spool-sigint");
    const run = startCli(scanArgs(log60, server.url, spool, "--deliver-batch", "20"), { SPLUNK_HEC_TOKEN: TOKEN });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (server.eventRequests >= 1) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    const sent = Date.now();
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(Date.now() - sent).toBeLessThan(4_000); // did not wait for the slow answer
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/services\/collector\/event: interrupted/);
    expect(r.stderr).toMatch(/60 alerts not delivered \(0 dead-lettered\); kept in the spool/);
    const ids = printedIds(r.stdout);
    const d = await runCliAsync(["deliver", "--spool", spool, "--hec", server.url, "--deliver-batch", "60"], {
      SPLUNK_HEC_TOKEN: TOKEN,
    });
    expect(d.status).toBe(0);
    expectDelivered(server, ids, { duplicatesAllowed: true }); // the cancelled batch was indexed before the answer
    expect(spoolFiles(spool)).toEqual([]);
  });

  it("the default spool is under $XDG_STATE_HOME/lsass-dump-scan/spool", async () => {
    const state = tempDir("lds-state-");
    const port = await closedPort();
    const r = await runCliAsync(
      ["scan", log5, "--no-progress", "-q", "--hec", `http://127.0.0.1:${port}`, "--deliver-timeout", "300ms"],
      { SPLUNK_HEC_TOKEN: TOKEN, XDG_STATE_HOME: state },
    );
    expect(r.status).toBe(2);
    const spool = join(state, "lsass-dump-scan", "spool");
    expect(r.stderr).toContain(spool);
    expect(spoolFiles(join(spool, "hec")).filter((f) => f.endsWith(".ndjson"))).toHaveLength(1);
  });

  it("the token is refused on the command line, required from the environment or a file, and a readable file is warned about", async () => {
    const onArgv = await runCliAsync(["scan", log5, "--hec", "http://127.0.0.1:9", `--hec-token=${TOKEN}`]);
    expect(onArgv.status).toBe(2);
    expect(onArgv.stderr).toMatch(/--hec-token is not accepted/);
    expect(`${onArgv.stdout}${onArgv.stderr}`).not.toContain(TOKEN);

    const none = await runCliAsync(["scan", log5, "--hec", "http://127.0.0.1:9"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/--hec needs a token: set SPLUNK_HEC_TOKEN or use --hec-token-file/);
    expect(none.stdout).toBe(""); // checked before scanning

    const server = await hec();
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, `${TOKEN}\n`);
    chmodSync(tokenFile, 0o644);
    const spool = join(dir, "spool-file");
    const r = await runCliAsync(scanArgs(log5, server.url, spool, "--hec-token-file", tokenFile));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/can be read by other users \(mode 644\); chmod 600 it/);
    expect(server.indexed).toHaveLength(5);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
  });

  it("webhook down: exit 2, spooled under webhook/; deliver --webhook sends them signed, same ids", async () => {
    const port = await closedPort();
    const spool = join(dir, "spool-hook");
    const r = await runCliAsync(
      [
        "scan",
        log5,
        "--format",
        "jsonl",
        "--no-progress",
        "--webhook",
        `http://127.0.0.1:${port}/h`,
        "--spool",
        spool,
        "--deliver-timeout",
        "500ms",
      ],
      { LSASS_DUMP_SCAN_WEBHOOK_SECRET: "k" },
    );
    expect(r.status).toBe(2);
    expect(spoolFiles(join(spool, "webhook")).filter((f) => f.endsWith(".ndjson"))).toHaveLength(1);
    const receiver = await startWebhookReceiver();
    servers.push(receiver);
    const d = await runCliAsync(["deliver", "--spool", spool, "--webhook", receiver.url], {
      LSASS_DUMP_SCAN_WEBHOOK_SECRET: "k",
    });
    expect(d.status).toBe(0);
    const body = receiver.requests[0]!.body;
    expect(receiver.requests[0]!.headers["x-signature-256"]).toBe(
      `sha256=${createHmac("sha256", "k").update(body).digest("hex")}`,
    );
    expect((JSON.parse(body) as { alert_id: string }[]).map((a) => a.alert_id).sort()).toEqual(printedIds(r.stdout));
    expect(spoolFiles(spool)).toEqual([]);
  });

  it("--hec and --webhook at once: both get every alert, the webhook body signed", async () => {
    const server = await hec();
    const receiver = await startWebhookReceiver();
    servers.push(receiver);
    const spool = join(dir, "spool-both");
    const r = await runCliAsync(scanArgs(log5, server.url, spool, "--webhook", receiver.url), {
      SPLUNK_HEC_TOKEN: TOKEN,
      LSASS_DUMP_SCAN_WEBHOOK_SECRET: "hook-secret",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/HEC: 5 sent, 0 spooled, 0 dead-lettered, webhook: 5 sent, 0 spooled, 0 dead-lettered/);
    expect(receiver.requests).toHaveLength(1);
    const ids = (JSON.parse(receiver.requests[0]!.body) as { alert_id: string }[]).map((a) => a.alert_id).sort();
    expect(ids).toEqual(printedIds(r.stdout));
    expect(receiver.requests[0]!.headers["x-signature-256"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(r.stderr).not.toContain("hook-secret");
  });
});
