/**
 * s3:// inputs when S3 fails as it does in real life, through a proxy in front of s3rver:
 * throttling (`503 SlowDown`, S3 API reference "Error responses") on the listing and on the
 * reads, throttling that does not stop, an object deleted between the listing and its read,
 * and credentials S3 refuses. The scan goes on with the other objects; each failure is one
 * problem naming the s3:// input.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateBuffer } from "../src/generate/index.js";
import { scan } from "../src/index.js";
import { runCliAsync } from "./helpers/cli.js";
import { type FaultProxy, startFaultProxy } from "./helpers/fault-proxy.js";
import { type S3rverProcess, startS3rver } from "./helpers/s3rver.js";

const options = { workers: 2, shardSize: 64 * 1024 };
const big = generateBuffer({ format: "ecs", size: 256 * 1024, seed: 42, hitsPerGb: 40_000 });
const KEYS = ["x/0.jsonl", "x/1.jsonl", "x/2.jsonl"];

let server: S3rverProcess;
let proxy: FaultProxy;
let client: S3Client;
let directory: string;
const saved = { ...process.env };

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "lds-s3-outage-"));
  server = await startS3rver(directory);
  proxy = await startFaultProxy(server.endpoint);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "S3RVER", // s3rver's built-in credentials
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL: proxy.origin,
    AWS_CONFIG_FILE: join(directory, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(directory, "no-credentials"),
  });
  client = new S3Client({ forcePathStyle: true });
  for (const Key of KEYS) await client.send(new PutObjectCommand({ Bucket: "logs", Key, Body: big.buffer }));
});

afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await server?.stop();
  rmSync(directory, { recursive: true, force: true });
  process.env = saved;
});

const isListing = (url: string) => url.includes("list-type=2");
const totalCount = (rows: readonly { count: number }[]) => rows.reduce((n, r) => n + r.count, 0);

describe("s3:// inputs, S3 failing", () => {
  test("503 SlowDown on the first listing and the first read of every object: retried, the rows exact", async () => {
    const seen = new Set<string>();
    proxy.setFault((r) => {
      const key = `${isListing(r.url) ? "list " : ""}${r.url.split("?")[0]}`;
      if (seen.has(key)) return undefined;
      seen.add(key);
      return "slowdown";
    });
    try {
      const remote = await scan(["s3://logs/x/"], options);
      expect(remote.problems).toEqual([]);
      expect(remote.result.inputsScanned).toBe(3);
      expect(totalCount(remote.rows)).toBe(3 * totalCount(big.rows));
      expect(proxy.requests.filter((r) => r.fault === "slowdown").length).toBeGreaterThanOrEqual(4);
    } finally {
      proxy.setFault(undefined);
    }
  });

  test("throttling that does not stop: one line naming the prefix and S3's words, exit 2", async () => {
    proxy.setFault((r) => (isListing(r.url) ? "slowdown" : undefined));
    try {
      const run = await runCliAsync(["scan", "s3://logs/x/", "-q", "--no-progress"]);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(
        "lsass-dump-scan: s3://logs/x/: listing failed: Please reduce your request rate. (HTTP 503)\n",
      );
    } finally {
      proxy.setFault(undefined);
    }
  });

  test("an object deleted between the listing and its read: one problem naming it, the others scanned", async () => {
    await client.send(new PutObjectCommand({ Bucket: "logs", Key: "y/gone.jsonl", Body: big.buffer }));
    await client.send(new PutObjectCommand({ Bucket: "logs", Key: "y/kept.jsonl", Body: big.buffer }));
    let deleted: Promise<unknown> | undefined;
    proxy.setFault((r) => {
      // The listing passes; the object goes before anything reads it.
      if (!isListing(r.url) && r.url.startsWith("/logs/y/gone.jsonl") && deleted === undefined) {
        deleted = client.send(new DeleteObjectCommand({ Bucket: "logs", Key: "y/gone.jsonl" }));
        return { wait: deleted };
      }
      return undefined;
    });
    try {
      const remote = await scan(["s3://logs/y/"], options);
      await deleted;
      expect(remote.problems).toEqual([
        { input: "s3://logs/y/gone.jsonl", code: "LDS_E_INPUT_MISSING", message: "HTTP 404: no such object" },
      ]);
      expect(totalCount(remote.rows)).toBe(totalCount(big.rows));
    } finally {
      proxy.setFault(undefined);
    }
  });

  test("credentials S3 refuses, or none at all: one line each, exit 2, no secret printed", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const refused = await runCliAsync(["scan", "s3://logs/x/", "-q"], {
      ...process.env,
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: secret,
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^lsass-dump-scan: s3:\/\/logs\/x\/: listing failed: .*\(HTTP 403\)\n$/);
    expect(refused.stderr).not.toContain(secret);
    const none = { ...process.env };
    delete none.AWS_ACCESS_KEY_ID;
    delete none.AWS_SECRET_ACCESS_KEY;
    const noCredentials = await runCliAsync(["scan", "s3://logs/x/", "-q"], {
      ...none,
      AWS_EC2_METADATA_DISABLED: "true",
    });
    expect(noCredentials.status).toBe(2);
    expect(noCredentials.stderr).toBe(
      "lsass-dump-scan: s3://logs/x/: listing failed: Could not load credentials from any providers\n",
    );
  });
});
