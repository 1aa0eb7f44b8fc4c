import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateBuffer } from "../src/generate/index.js";
import { type ScanOutcome, scan } from "../src/index.js";
import { CORPUS, HAVE_CORPUS, ROOT, runCliAsync } from "./helpers/cli.js";
import { type Fault, filesUnder, type RangeServer, startRangeServer } from "./helpers/range-server.js";

if (!HAVE_CORPUS) console.warn(`remote-http: ${CORPUS} is absent, the corpus checks are skipped`);

/** Corpus files (not its notes) as object keys. */
function corpusKeys(objects: Map<string, Buffer>): string[] {
  return [...objects.keys()].filter((k) => !k.endsWith(".md") && !k.startsWith("EXPECTED"));
}

const options = { workers: 2, shardSize: 64 * 1024 };

/** Rows and problems only (the raw counters differ: an archive's size is not known remotely). */
function outcome(o: ScanOutcome) {
  return { rows: o.rows, problems: o.problems };
}

/** A generated XML log of ~1.5 MiB with planted hits, and the rows a scan must give. */
const big = generateBuffer({ format: "xml", size: 1536 * 1024, seed: 14, hitsPerGb: 20_000 });

describe.skipIf(!HAVE_CORPUS)("the corpus over HTTP", () => {
  let server: RangeServer;
  let keys: string[];
  let local: ScanOutcome;
  beforeAll(async () => {
    const objects = filesUnder(CORPUS);
    keys = corpusKeys(objects);
    server = await startRangeServer(objects);
    local = await scan(
      keys.map((k) => `${CORPUS}/${k}`),
      options,
    );
    expect(local.rows.length).toBeGreaterThan(0);
  });
  afterAll(() => server.close());

  test("every file, archive and EVTX gives the local scan's rows, shards read by range with If-Match", async () => {
    server.requests.length = 0;
    const remote = await scan(
      keys.map((k) => `${server.url(k)}?X-Amz-Signature=0123secret`),
      options,
    );
    expect(outcome(remote)).toEqual(outcome(local));
    const ranged = server.requests.filter((r) => r.range !== "bytes=0-65535");
    expect(ranged.length).toBeGreaterThan(keys.length);
    for (const r of server.requests) {
      expect(r.range, r.url).toMatch(/^bytes=\d+-\d+$/); // nothing fetched whole
      expect(r.url, "the query string is kept").toContain("?X-Amz-Signature=0123secret");
    }
    for (const r of ranged) expect(r.ifMatch, r.url).toMatch(/^"[0-9a-f]{32}"$/);
  });

  test("a zip is read in place: its members come by range, not the whole object", async () => {
    server.requests.length = 0;
    const key = "archives/rdp_interactive_taskmanager_lsass_dump.zip";
    const remote = await scan([server.url(key)], options);
    expect(remote.rows).toEqual((await scan([`${CORPUS}/${key}`], options)).rows);
    expect(remote.rows.length).toBeGreaterThan(0);
    expect(server.requests.length).toBeGreaterThan(2);
  });

  test("a server without Range support: every object streamed whole, same rows", async () => {
    const plain = await startRangeServer(filesUnder(CORPUS), { ranges: false });
    try {
      const remote = await scan(
        keys.map((k) => plain.url(k)),
        options,
      );
      expect(outcome(remote)).toEqual(outcome(local));
      for (const r of plain.requests) expect(r.status).toBe(200);
      expect(plain.requests.length).toBe(keys.length); // one request each, read once
    } finally {
      await plain.close();
    }
  });

  test("weak ETags: no If-Match is sent (it could never match), rows the same", async () => {
    const weak = await startRangeServer(filesUnder(CORPUS), { etags: "weak" });
    try {
      const remote = await scan(
        keys.map((k) => weak.url(k)),
        options,
      );
      expect(outcome(remote)).toEqual(outcome(local));
      for (const r of weak.requests) expect(r.ifMatch).toBeUndefined();
    } finally {
      await weak.close();
    }
  });
});

describe("faults", () => {
  let server: RangeServer;
  beforeAll(async () => {
    server = await startRangeServer(new Map([["big.xml", big.buffer]]));
  });
  afterAll(() => server.close());

  test("the generated file has rows to find; the reference engine reads it over HTTP too", async () => {
    expect(big.rows.length).toBeGreaterThan(3);
    const remote = await scan([server.url("big.xml")], { ...options, engine: "reference" });
    expect(remote.problems).toEqual([]);
    expect(remote.rows).toEqual(big.rows);
  });

  test("503s, 429s, resets and transfers cut halfway are retried and resumed: the rows are exact", async () => {
    const faults: Fault[] = [
      { kind: "status", status: 503 },
      { kind: "cut" },
      { kind: "reset" },
      { kind: "status", status: 429, retryAfter: "0" },
      { kind: "status", status: 502 },
      { kind: "cut" },
      { kind: "status", status: 500 },
      { kind: "status", status: 504 },
    ];
    // The first request for each byte range fails (a cut one resumes with a new range, which
    // fails again: progress every time); its retry succeeds, whatever the threads interleave.
    const seen = new Set<string>();
    let injected = 0;
    server.setFault((r) => {
      const key = r.range ?? "";
      if (seen.has(key)) return undefined;
      seen.add(key);
      return faults[injected++ % faults.length];
    });
    server.requests.length = 0;
    try {
      const remote = await scan([server.url("big.xml")], options);
      expect(remote.problems).toEqual([]);
      expect(remote.rows).toEqual(big.rows);
      expect(remote.result.stats.bytes).toBeGreaterThanOrEqual(big.buffer.length);
      const kinds = new Set(server.requests.map((r) => r.fault));
      for (const kind of ["status", "cut", "reset"]) expect(kinds).toContain(kind);
      // A cut transfer resumes from its last complete byte, not from the range's start.
      const cut = server.requests.findIndex((r) => r.fault === "cut");
      const after = server.requests.slice(cut + 1).find((r) => r.range !== undefined && r.fault === undefined);
      expect(after?.range).not.toBe(server.requests[cut]?.range);
    } finally {
      server.setFault(undefined);
    }
  });

  test("a range that keeps failing is one problem naming the URL (no query) and the byte range; the rest is scanned", async () => {
    const other = await startRangeServer(new Map([["ok.xml", big.buffer]]));
    server.setFault((r) => (r.range === "bytes=131072-196607" ? { kind: "status", status: 503 } : undefined));
    server.requests.length = 0;
    try {
      const remote = await scan([`${server.url("big.xml")}?sig=topsecret`, other.url("ok.xml")], options);
      expect(remote.problems).toHaveLength(1);
      const [problem] = remote.problems;
      expect(problem?.input).toBe(`${server.url("big.xml")}?REDACTED`);
      expect(problem?.message).toMatch(/^bytes 131072-196607: HTTP 503, gave up after 5 attempts$/);
      expect(JSON.stringify(remote.problems)).not.toContain("topsecret");
      // Two shards need those bytes (one starts there, the one before reads past its end to the
      // next sync point): each tried five times, and the two identical lines are one problem.
      expect(server.requests.filter((r) => r.range === "bytes=131072-196607")).toHaveLength(10);
      // ok.xml was scanned whole: its rows are all there (aggregated with big.xml's partial ones).
      expect(remote.result.inputsScanned).toBe(2);
      expect(remote.rows.reduce((n, r) => n + r.count, 0)).toBeGreaterThanOrEqual(
        big.rows.reduce((n, r) => n + r.count, 0),
      );
    } finally {
      server.setFault(undefined);
      await other.close();
    }
  });

  test("404 and 403 are one problem each, at once (no retries)", async () => {
    server.setFault((r) => (r.url.startsWith("/denied") ? { kind: "status", status: 403 } : undefined));
    server.requests.length = 0;
    try {
      const remote = await scan([server.url("missing.xml"), server.url("denied.xml")], options);
      expect(remote.problems.map((p) => [p.input, p.code])).toEqual([
        [server.url("missing.xml"), "LDS_E_INPUT_MISSING"],
        [server.url("denied.xml"), "LDS_E_INPUT_UNREADABLE"],
      ]);
      expect(remote.problems[1]?.message).toMatch(/HTTP 403/);
      expect(server.requests).toHaveLength(2);
    } finally {
      server.setFault(undefined);
    }
  });

  test("an object replaced mid-scan is reported (If-Match fails), not mixed", async () => {
    const changing = await startRangeServer(new Map([["log.xml", big.buffer]]));
    const replaced = Buffer.from(big.buffer);
    replaced[100] = 0x20; // same size, new content, new ETag
    changing.setFault((_r, nth) => {
      if (nth === 4) changing.put("log.xml", replaced);
      return undefined;
    });
    try {
      const remote = await scan([changing.url("log.xml")], options);
      expect(remote.problems.length).toBeGreaterThanOrEqual(1);
      for (const p of remote.problems) {
        expect(p.message).toMatch(/changed while being scanned \(ETag no longer matches\)/);
      }
      expect(changing.requests.some((r) => r.status === 412)).toBe(true);
    } finally {
      await changing.close();
    }
  });

  test("a Content-Length that disagrees with Content-Range is a problem", async () => {
    server.setFault((r) => (r.range === "bytes=65536-131071" ? { kind: "short-length" } : undefined));
    try {
      const remote = await scan([server.url("big.xml")], options);
      expect(remote.problems.map((p) => p.message)).toEqual([
        "bytes 65536-131071: Content-Length does not match Content-Range",
      ]);
    } finally {
      server.setFault(undefined);
    }
  });

  test("CLI: rows as local, a failing range is one stderr line without the signature, exit status 2", async () => {
    server.setFault((r) => (r.range === "bytes=196608-262143" ? { kind: "reset" } : undefined));
    try {
      const url = `${server.url("big.xml")}?X-Amz-Credential=AKIA&X-Amz-Signature=deadbeef`;
      const run = await runCliAsync(["scan", url, "--shard-size", "64k", "--format", "jsonl", "-q", "--no-progress"]);
      expect(run.status).toBe(2);
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${server.url("big.xml")}?REDACTED`);
      expect(lines[0]).toContain("bytes 196608-262143");
      expect(run.stderr).not.toMatch(/deadbeef|AKIA/);
    } finally {
      server.setFault(undefined);
    }
    const clean = await runCliAsync(["scan", server.url("big.xml"), "--shard-size", "64k", "--format", "jsonl", "-q"]);
    expect(clean.status).toBe(1);
    const local = big.rows.map((r) => JSON.stringify(r)).join("\n");
    expect(clean.stdout.trim()).toBe(local);
  });
});

describe("start-up", () => {
  test("a local scan loads neither undici nor the AWS SDK (they load when a URL or s3:// is named)", async () => {
    const { spawnSync } = await import("node:child_process");
    const script = `
      import { createRequire } from "node:module";
      import { writeFileSync } from "node:fs";
      const { scan } = await import("./dist/index.js");
      writeFileSync(process.argv[1], '{"EventID": 1}\\n');
      await scan([process.argv[1]], { workers: 1 });
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /undici|@aws-sdk/.test(k));
      console.log(JSON.stringify(loaded));`;
    const file = `${(await import("node:os")).tmpdir()}/lds-startup-${process.pid}.json`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script, file], {
      cwd: `${import.meta.dirname}/..`,
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([]);
  });
});

describe("zips whose members 7-Zip unpacks, over HTTP", () => {
  test("Deflate64 members (one with a CP437 name) read by range give the local scan's rows", async () => {
    const fixtures = `${ROOT}/test/fixtures/archives`;
    const names = ["tp-deflate64.zip", "tp-deflate64-cp437.zip"];
    const server = await startRangeServer(new Map(names.map((n) => [n, readFileSync(`${fixtures}/${n}`)])));
    try {
      const local = await scan(
        names.map((n) => `${fixtures}/${n}`),
        options,
      );
      expect(local.problems).toEqual([]);
      expect(local.rows.length).toBeGreaterThan(0);
      const remote = await scan(
        names.map((n) => server.url(n)),
        options,
      );
      expect(outcome(remote)).toEqual(outcome(local));
    } finally {
      await server.close();
    }
  });
});
