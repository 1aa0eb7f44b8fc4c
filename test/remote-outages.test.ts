/**
 * Remote inputs when the server misbehaves in ways remote-http.test.ts does not cover: a server
 * that ignores If-Match while the object is replaced or cut short under the scan (caught by the
 * ETag it answers with, or by Content-Range's total), one without ETags whose object is
 * replaced (Last-Modified and If-Unmodified-Since, RFC 9110 13.1.4), and one that answers a later Range
 * request with 200 and the whole object (a cache that lost the object's ranges). Each is a
 * problem naming the URL and the byte range; the other inputs are scanned; nothing is mixed.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { generateBuffer } from "../src/generate/index.js";
import { scan } from "../src/index.js";
import { HttpObject, probeUrl } from "../src/source/http-source.js";
import { runCliAsync, tempDir } from "./helpers/cli.js";
import { type RangeServer, startRangeServer } from "./helpers/range-server.js";

const options = { workers: 2, shardSize: 64 * 1024 };
const big = generateBuffer({ format: "xml", size: 512 * 1024, seed: 16, hitsPerGb: 40_000 });

const servers: RangeServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

async function serve(...args: Parameters<typeof startRangeServer>): Promise<RangeServer> {
  const server = await startRangeServer(...args);
  servers.push(server);
  return server;
}

/** At the server's 4th request (mid-scan), log.xml becomes a copy one byte different: same size, new content, new ETag. */
function replaceOnFourthRequest(server: RangeServer): void {
  const replaced = Buffer.from(big.buffer);
  replaced[100] = 0x20;
  server.setFault((_r, nth) => {
    if (nth === 4) server.put("log.xml", replaced);
    return undefined;
  });
}

describe("remote inputs, misbehaving servers", () => {
  test("a server ignoring If-Match, the object replaced mid-scan: the answer's new ETag is a problem, never a mix", async () => {
    const server = await serve(new Map([["log.xml", big.buffer]]), { ifMatch: false });
    replaceOnFourthRequest(server);
    const remote = await scan([server.url("log.xml")], options);
    expect(remote.problems.length).toBeGreaterThanOrEqual(1);
    for (const p of remote.problems) {
      expect(p.input).toBe(server.url("log.xml"));
      expect(p.message).toMatch(
        /^bytes \d+-\d+: the object changed while being scanned \(ETag "[0-9a-f]{32}" when planned, "[0-9a-f]{32}" now\); records in it may be missed$/,
      );
    }
    expect(server.requests.every((r) => r.status !== 412)).toBe(true);
  });

  test("a server ignoring If-Match, the object cut short mid-scan: Content-Range's total or a 416 says so", async () => {
    const server = await serve(new Map([["log.xml", big.buffer]]), { ifMatch: false, etags: "none" });
    server.setFault((_r, nth) => {
      if (nth === 4) server.put("log.xml", big.buffer.subarray(0, 100_000));
      return undefined;
    });
    const remote = await scan([server.url("log.xml")], options);
    expect(remote.problems.length).toBeGreaterThanOrEqual(1);
    for (const p of remote.problems) {
      expect(p.message).toMatch(/changed size while being scanned|shrank while being scanned/);
    }
  });

  test("a server without ETags, the object replaced mid-scan (same size): Last-Modified tells, If-Unmodified-Since asks", async () => {
    const server = await serve(new Map([["log.xml", big.buffer]]), { etags: "none", lastModified: true });
    replaceOnFourthRequest(server);
    const remote = await scan([server.url("log.xml")], options);
    expect(remote.problems.length).toBeGreaterThanOrEqual(1);
    for (const p of remote.problems) {
      expect(p.message).toMatch(/the object changed while being scanned \(modified since it was planned\)/);
    }
    expect(server.requests.some((r) => r.status === 412)).toBe(true);
  });

  test("the same, from a server that ignores If-Unmodified-Since: the Last-Modified it answers with tells", async () => {
    const server = await serve(new Map([["log.xml", big.buffer]]), {
      etags: "none",
      lastModified: true,
      ifMatch: false,
    });
    replaceOnFourthRequest(server);
    const remote = await scan([server.url("log.xml")], options);
    expect(remote.problems.length).toBeGreaterThanOrEqual(1);
    for (const p of remote.problems) {
      expect(p.message).toMatch(
        /the object changed while being scanned \(Last-Modified Mon, 01 Jan 2024 00:00:00 GMT when planned, Mon, 01 Jan 2024 00:00:01 GMT now\)/,
      );
    }
  });

  test("a server without ETags or changes: Last-Modified costs nothing, the rows are exact", async () => {
    const server = await serve(new Map([["log.xml", big.buffer]]), { etags: "none", lastModified: true });
    const remote = await scan([server.url("log.xml")], options);
    expect(remote.problems).toEqual([]);
    expect(remote.rows).toEqual(big.rows);
    expect(server.requests.filter((r) => r.range !== "bytes=0-65535").length).toBeGreaterThan(1);
  });

  test("a URL that redirects to a sign-in page: one line saying an HTML page came, not a log, exit 2", async () => {
    const server = await serve(
      new Map([["login", Buffer.from("<!DOCTYPE html>\n<html><body>Sign in to Contoso</body></html>\n")]]),
    );
    server.setFault((r) =>
      r.url.startsWith("/logs/") ? { kind: "status", status: 302, location: "/login" } : undefined,
    );
    const run = await runCliAsync(["scan", `${server.origin}/logs/dc01.evtx?sig=abc`, "-q", "--no-progress"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `lsass-dump-scan: ${server.origin}/logs/dc01.evtx?REDACTED: an HTML page, not a log (a login or error page?)\n`,
    );
  });

  test("a server that drops every transfer after a few bytes: each range gives up after 5 tries, not one try per 10 bytes", async () => {
    const server = await serve(new Map([["log.xml", big.buffer]]));
    // The probe is answered whole; every later range brings 10 bytes and the socket closes.
    server.setFault((r) => (r.range === "bytes=0-65535" ? undefined : { kind: "cut", keep: 10 }));
    const started = Date.now();
    const remote = await scan([server.url("log.xml")], { ...options, workers: 1 });
    // Before, 10 bytes counted as progress and reset the count: ~6,500 tries per 64 KiB shard.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(remote.problems.length).toBeGreaterThan(0);
    for (const p of remote.problems) {
      expect(p.input).toBe(server.url("log.xml"));
      expect(p.message).toMatch(
        /^bytes \d+-\d+: transfer cut short \(10 of \d+ bytes: other side closed \(UND_ERR_SOCKET\)\), gave up after 5 attempts$/,
      );
    }
    expect(server.requests.length).toBeLessThan(200);
  }, 30_000);

  test("416 to the first range: an empty object (bytes */0, or no size), else a problem naming the size", async () => {
    const server = await serve(new Map([["empty.xml", Buffer.alloc(0)]]));
    const empty = await scan([server.url("empty.xml")], options);
    expect(empty.problems.map((p) => p.message)).toEqual(["empty"]);
    // A server that refuses ranges of a non-empty object with 416 and its size: before, it
    // was taken for an empty object and said "empty".
    server.setFault((r) =>
      r.url === "/big.xml" ? { kind: "status", status: 416, contentRange: "bytes */5000" } : undefined,
    );
    server.put("big.xml", big.buffer);
    const remote = await scan([server.url("big.xml")], options);
    expect(remote.problems.map((p) => p.message)).toEqual([
      "bytes 0-65535: HTTP 416 (range not satisfiable) for an object of 5000 bytes; the server cannot be read by range",
    ]);
    // Ceph RGW answers an empty object's range with 416 and no Content-Range: still empty.
    server.setFault((r) => (r.url === "/big.xml" ? { kind: "status", status: 416 } : undefined));
    expect((await scan([server.url("big.xml")], options)).problems.map((p) => p.message)).toEqual(["empty"]);
  });

  test("user:password in the URL is sent as Basic auth on every range (it was dropped: HTTP 401); never printed", async () => {
    const password = "s3cr@t pw";
    const server = await serve(new Map([["log.xml", big.buffer]]), { basicAuth: `alice:${password}` });
    const at = (pass: string) => server.url("log.xml").replace("http://", `http://alice:${encodeURIComponent(pass)}@`);
    const remote = await scan([at(password)], options);
    expect(remote.problems).toEqual([]);
    expect(remote.rows).toEqual(big.rows);
    expect(server.requests.length).toBeGreaterThan(2);
    expect(server.requests.every((r) => r.status === 206)).toBe(true);

    const wrong = "guess3d!";
    const run = await runCliAsync(["scan", at(wrong), "-q", "--no-progress"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `lsass-dump-scan: ${server.url("log.xml")}: HTTP 401: access denied (credentials or expired signature?)\n`,
    );
    expect(run.stderr + run.stdout).not.toContain(encodeURIComponent(wrong));
  });

  test("a first answer whose Content-Range ends past the size it names is a bad Content-Range, not 'changed size' later", async () => {
    const server = await serve(new Map([["log.xml", big.buffer]]));
    server.setFault((r) =>
      r.range === "bytes=0-65535" ? { kind: "content-range", value: "bytes 0-65535/1000" } : undefined,
    );
    const remote = await scan([server.url("log.xml")], options);
    // Before: the 1000 bytes were planned, and the next range said the size had changed.
    expect(remote.problems.map((p) => p.message)).toEqual([
      'bad Content-Range in answer to bytes 0-65535: "bytes 0-65535/1000"',
    ]);
    server.setFault(undefined);
    expect((await scan([server.url("log.xml")], options)).rows).toEqual(big.rows);
  });

  test("a server without Range support that cuts the transfer: one problem saying how far it came and that it cannot resume", async () => {
    const server = await serve(new Map([["log.xml", big.buffer]]), { ranges: false });
    server.setFault(() => ({ kind: "cut" }));
    const remote = await scan([server.url("log.xml")], options);
    const half = big.buffer.length >> 1;
    // Before: undici's bare "other side closed".
    expect(remote.problems.map((p) => p.message)).toEqual([
      `transfer cut short after ${half} of ${big.buffer.length} bytes (other side closed (UND_ERR_SOCKET)); the server does not answer Range requests, so it cannot be resumed`,
    ]);
  });

  test("200 with the whole object to a later Range request: one problem naming the range; the other input is scanned; CLI exit 2", async () => {
    const server = await serve(
      new Map([
        ["a.xml", big.buffer],
        ["b.xml", big.buffer],
      ]),
    );
    server.setFault((r) => (r.url === "/a.xml" && r.range === "bytes=131072-196607" ? { kind: "full" } : undefined));
    const remote = await scan([server.url("a.xml"), server.url("b.xml")], options);
    expect(remote.problems.map((p) => [p.input, p.message])).toEqual([
      [server.url("a.xml"), "bytes 131072-196607: HTTP 200 instead of a partial answer (206)"],
    ]);
    expect(remote.result.inputsScanned).toBe(2);
    // b.xml whole: at least every planted hit once.
    expect(remote.rows.reduce((n, r) => n + r.count, 0)).toBeGreaterThanOrEqual(
      big.rows.reduce((n, r) => n + r.count, 0),
    );

    const run = await runCliAsync(["scan", server.url("a.xml"), "--shard-size", "64k", "-q", "--no-progress"]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([
      `lsass-dump-scan: ${server.url("a.xml")}: bytes 131072-196607: HTTP 200 instead of a partial answer (206)`,
    ]);
  });
});

const HAVE_OPENSSL = spawnSync("openssl", ["version"]).status === 0;

describe.skipIf(!HAVE_OPENSSL)("remote inputs over TLS (openssl needed: apt-get install -y openssl)", () => {
  test("a self-signed certificate is one problem at once (no retries) saying how to trust it; NODE_EXTRA_CA_CERTS then reads it", async () => {
    const dir = tempDir("lds-remote-tls-");
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1"].concat([
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ]),
      { stdio: "ignore" },
    );
    let connections = 0;
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
      res.writeHead(200, { "content-length": String(big.buffer.length) });
      res.end(big.buffer);
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/log.xml`;
    try {
      const remote = await scan([`${url}?sig=secret`], options);
      expect(remote.problems.map((p) => [p.input, p.message])).toEqual([
        [
          `${url}?REDACTED`,
          "bytes 0-65535: TLS certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT); NODE_EXTRA_CA_CERTS=ca.pem adds a private CA",
        ],
      ]);
      // Before, five handshakes with backoff between them, then "gave up after 5 attempts".
      expect(connections).toBe(1);
      const trusted = await runCliAsync(["scan", url, "--format", "jsonl", "-q", "--no-progress"], {
        ...process.env,
        NODE_EXTRA_CA_CERTS: cert,
      });
      expect(trusted.stderr).toBe("");
      expect(trusted.stdout).toBe(`${big.rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("remote inputs, a server that trickles", () => {
  test("a byte every 50 ms (under undici's silence timeout) ends each try after the stall time; 5 tries, then one problem", async () => {
    const { createServer: createHttpServer } = await import("node:http");
    let requests = 0;
    const server = createHttpServer((req, res) => {
      requests++;
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
      const first = Number(m?.[1] ?? 0);
      const last = Math.min(Number(m?.[2] ?? 0), big.buffer.length - 1);
      res.writeHead(206, {
        "content-range": `bytes ${first}-${last}/${big.buffer.length}`,
        "content-length": String(last - first + 1),
      });
      let at = first;
      const drip = setInterval(() => {
        if (res.destroyed || at > last) return clearInterval(drip);
        res.write(big.buffer.subarray(at, at + 1));
        at++;
      }, 50);
      res.on("close", () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/log.xml?sig=secret`;
    try {
      const object = new HttpObject(url, "log.xml", big.buffer.length, undefined, { stallMs: 300 });
      const started = Date.now();
      const err = await (async () => {
        for await (const _ of object.range(0, 100_000)) {
          // the bytes trickle in
        }
      })().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      // Before: a try ended only after 60 s of silence, so this range would have taken ~28 minutes.
      expect(err?.message).toMatch(
        /^bytes \d+-99999: less than 64 KiB in 0\.3 s of waiting \(a server trickling bytes\), \d+ of \d+ bytes came, gave up after 5 attempts$/,
      );
      expect(requests).toBe(5);
      expect(Date.now() - started).toBeLessThan(10_000);

      requests = 0;
      const probe = await probeUrl(url, 65_536, "log.xml", 300).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(probe?.message).toMatch(
        /bytes 0-65535: less than 64 KiB in 0\.3 s of waiting .*gave up after 5 attempts$/,
      );
      expect(requests).toBe(5);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 30_000);
});
