/**
 * Issue 13: TLS verification is on. A HEC behind a self-signed certificate (made with openssl
 * for 127.0.0.1) stops the sink at once with one line naming the certificate problem and keeps
 * the alerts in the spool; `--insecure` (insecure: true) delivers them. Skipped with a message
 * when openssl is not installed (Debian package `openssl`; .ci/run installs it).
 */

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hecSink } from "../src/sinks/hec-sink.js";
import { sampleRows } from "./helpers/alert-rows.js";
import { tempDir } from "./helpers/cli.js";

const HAVE_OPENSSL = spawnSync("openssl", ["version"]).status === 0;
const TOKEN = "9a8b7c6d-1234-4f00-8abc-0123456789ab";

describe.skipIf(!HAVE_OPENSSL)("HEC over TLS (openssl needed: apt-get install -y openssl)", () => {
  let url: string;
  let received = 0;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const dir = tempDir("lds-tls-");
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      req.resume();
      req.on("end", () => {
        received++;
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"text":"Success","code":0}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
  });

  afterAll(async () => {
    await close?.();
  });

  it("a self-signed certificate is refused at once; the alerts stay in the spool", async () => {
    const sink = hecSink({ url, token: TOKEN }, { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 30_000 });
    const started = Date.now();
    await sink.write(sampleRows(3));
    const summary = await sink.close();
    expect(Date.now() - started).toBeLessThan(10_000); // not retried for --deliver-timeout
    expect(summary).toMatchObject({ delivered: 0, spooled: 3 });
    expect(summary.stopped).toMatch(/TLS certificate not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\); use --insecure only/);
    expect(received).toBe(0);
  });

  it("--insecure delivers to it", async () => {
    const sink = hecSink(
      { url, token: TOKEN, insecure: true },
      { spoolDir: tempDir("lds-spool-"), deliverTimeoutMs: 30_000 },
    );
    await sink.write(sampleRows(3));
    expect(await sink.close()).toMatchObject({ delivered: 3, undelivered: 0 });
    expect(received).toBe(1);
  });
});
