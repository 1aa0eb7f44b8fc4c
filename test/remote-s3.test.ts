import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateBuffer } from "../src/generate/index.js";
import { scan } from "../src/index.js";
import { listS3Objects } from "../src/source/s3-objects.js";
import { CORPUS, HAVE_CORPUS, runCliAsync } from "./helpers/cli.js";
import { filesUnder } from "./helpers/range-server.js";
import { type S3rverProcess, startS3rver } from "./helpers/s3rver.js";

/**
 * s3rver (npm: S3 over a folder) as the S3 endpoint on a free loopback port: ListObjectsV2
 * with pagination, presigned (query-signed) GETs, Range.
 */
const options = { workers: 2, shardSize: 64 * 1024 };
const big = generateBuffer({ format: "ecs", size: 1024 * 1024, seed: 41, hitsPerGb: 20_000 });
const corpus = HAVE_CORPUS ? filesUnder(CORPUS) : new Map<string, Buffer>();
const corpusKeys = [...corpus.keys()].filter((k) => !k.endsWith(".md") && !k.startsWith("EXPECTED"));
/** Keys listed in pages whether or not the corpus is here. */
const PAGED = ["paged/a.json", "paged/b.json", "paged/c/d.json", "paged/e.json", "paged/f.json"];

let server: S3rverProcess;
let directory: string;
const saved = { ...process.env };

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "lds-s3rver-"));
  server = await startS3rver(directory);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "S3RVER", // s3rver's built-in credentials
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_CONFIG_FILE: join(directory, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(directory, "no-credentials"),
  });
  const client = new S3Client({ forcePathStyle: true });
  const put = (Key: string, Body: Buffer) => client.send(new PutObjectCommand({ Bucket: "logs", Key, Body }));
  for (const key of corpusKeys) await put(`corpus/${key}`, corpus.get(key) as Buffer);
  await put("big.jsonl", big.buffer);
  await put("corpus2/big.jsonl", big.buffer); // not under s3://logs/corpus
  await put("notes/", Buffer.alloc(0)); // a directory marker
  // Always there, corpus or not (a fresh clone has no ../shared/corpus): pages of two keys.
  for (const key of PAGED) await put(key, Buffer.from("{}\n"));
  client.destroy();
});

afterAll(async () => {
  await server?.stop();
  rmSync(directory, { recursive: true, force: true });
  process.env = saved;
});

describe("s3:// inputs (s3rver)", () => {
  test.skipIf(!HAVE_CORPUS)("a prefix scans every object under it, with the local scan's rows", async () => {
    const local = await scan(
      corpusKeys.map((k) => `${CORPUS}/${k}`),
      options,
    );
    for (const prefix of ["s3://logs/corpus/", "s3://logs/corpus"]) {
      const remote = await scan([prefix], options);
      expect(remote.problems).toEqual([]);
      expect(remote.rows).toEqual(local.rows);
    }
  });

  test("a generated file, in 64 KiB shards read by range, gives its expected rows", async () => {
    const remote = await scan(["s3://logs/big.jsonl"], options);
    expect(remote.problems).toEqual([]);
    expect(remote.rows).toEqual(big.rows);
    expect(remote.result.inputsScanned).toBe(1);
  });

  test("listing is paginated (two keys a page here) and in key order; directory markers are left out", async () => {
    const names = async (prefix: string, pageSize?: number) => {
      const seen: string[] = [];
      for await (const object of listS3Objects(prefix, pageSize)) {
        seen.push(object.name);
        expect(object.url).toMatch(/X-Amz-Signature=/);
      }
      return seen;
    };
    const all = [
      "s3://logs/big.jsonl",
      ...corpusKeys.map((k) => `s3://logs/corpus/${k}`),
      "s3://logs/corpus2/big.jsonl",
      ...PAGED.map((k) => `s3://logs/${k}`),
    ];
    expect(await names("s3://logs/")).toEqual(all.sort());
    expect(await names("s3://logs/paged/", 2)).toEqual(PAGED.map((k) => `s3://logs/${k}`).sort());
    if (HAVE_CORPUS) {
      const corpusOnly = corpusKeys.map((k) => `s3://logs/corpus/${k}`).sort();
      expect(await names("s3://logs/corpus/", 2)).toEqual(corpusOnly);
    }
  });

  test("a missing prefix or bucket is one problem", async () => {
    const remote = await scan(["s3://logs/nothing-here/", "s3://no-such-bucket/x"], options);
    expect(remote.problems.map((p) => [p.input, p.code])).toEqual([
      ["s3://logs/nothing-here/", "LDS_E_INPUT_MISSING"],
      ["s3://no-such-bucket/x", "LDS_E_INPUT_MISSING"],
    ]);
  });

  test("CLI: rows as the generator says, no signature anywhere in the output", async () => {
    const run = await runCliAsync(["scan", "s3://logs/big.jsonl", "--shard-size", "64k", "--format", "jsonl"]);
    expect(run.status).toBe(1);
    expect(run.stdout.trim()).toBe(big.rows.map((r) => JSON.stringify(r)).join("\n"));
    expect(run.stderr).not.toMatch(/Signature|S3RVER/);
  });
});
