/**
 * The gzip reader of issue 17 (gzip-bytes.ts: RFC 1952 headers and trailers read by us, each
 * member's deflate data inflated by node:zlib's InflateRaw, so trailing garbage can be told from
 * a cut) against what it replaced (node:zlib's Gunzip, which handles members itself but cannot
 * tell "\n" after the last member from a truncated one), on the same .gz file, one after the other
 * in one run (tinybench; medians). The file is given, or the first 256 MiB of the bench's 2 GiB XML
 * corpus gzipped at level 6.
 *
 *   npm run build:bench && node dist-bench/bench/gzip-reader.bench.js [file.gz]
 */

import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { Bench } from "tinybench";
import { gunzip } from "../src/scan/gzip-bytes.js";
import { PeekableBytes } from "../src/scan/peekable-bytes.js";

const READ = 256 * 1024; // the input layer's read size (inputs.ts)

async function withGunzip(path: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ }).pipe(createGunzip())) {
    bytes += (chunk as Buffer).length;
  }
  return bytes;
}

async function withMemberReader(path: string): Promise<number> {
  let bytes = 0;
  const input = new PeekableBytes(createReadStream(path, { highWaterMark: READ }));
  for await (const chunk of gunzip(input, path, {}).bytes.chunks()) bytes += chunk.length;
  return bytes;
}

const path = process.argv[2];
if (path === undefined) {
  console.error("usage: node dist-bench/bench/gzip-reader.bench.js FILE.gz");
  process.exit(2);
}
const expected = await withGunzip(path);
if ((await withMemberReader(path)) !== expected) throw new Error("the readers disagree on the inflated size");
const bench = new Bench({ iterations: 7, time: 0, warmupIterations: 1 });
bench.add("node:zlib Gunzip (before)", () => withGunzip(path).then(() => undefined));
bench.add("member reader: headers ours, InflateRaw (now)", () => withMemberReader(path).then(() => undefined));
await bench.run();
for (const task of bench.tasks) {
  const r = task.result;
  const median = r !== undefined && "latency" in r ? (r.latency.p50 ?? Number.NaN) : Number.NaN;
  console.log(
    `${task.name}: median ${median.toFixed(0)} ms, ${(expected / 1e6 / (median / 1000)).toFixed(0)} MB/s inflated`,
  );
}
