/**
 * Matcher benchmark (issue 3): the wasm matcher on hot in-memory Sysmon data, one thread, side
 * by side with a plain-JS Buffer.indexOf scanner and the reference engine, per format (XML,
 * flat JSON, Winlogbeat JSON), at a realistic hit rate (a few per GB) and dense (one per
 * 10 KiB). Every task first checks its match count against the generator's answer, then is
 * timed (tinybench; medians). Ratios are taken within one run: the machine is noisy. A second
 * table times whole-file scans (fs.readSync into wasm memory) per block size, the measurement
 * behind src/engine/wasm-engine.ts's DEFAULT_BLOCK_BYTES.
 *
 *   npm run build:wasm && npm run build:bench && node dist-bench/bench/matcher.bench.js
 *   (also run by `npm run bench` as the matcher-team suite)
 *
 * Environment: LDS_BENCH_MATCHER_SIZE (default 64m, the in-memory buffer per dataset),
 * LDS_BENCH_REFERENCE_SIZE (default 4m: the reference engine parses every record),
 * LDS_BENCH_BLOCKS_SIZE (default 256m; 0 skips the block table), LDS_BENCH_TIME_MS (1000),
 * LDS_BENCH_FORMATS (xml,flat,ecs).
 */

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { Bench } from "tinybench";
import { parseSize } from "../src/cli/parse-size.js";
import { type Engine, emptyStats } from "../src/engine/engine.js";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { TextSearcher } from "../src/engine/text-searcher.js";
import { createWasmEngine } from "../src/engine/wasm-engine.js";
import { jsonEventFields } from "../src/formats/json-fields.js";
import type { TextFormat } from "../src/formats/log-format.js";
import { xmlEventFields } from "../src/formats/xml-fields.js";
import { generateBuffer } from "../src/generate/index.js";
import { matchEvent } from "../src/rule/rule.js";
import { normalizeTime } from "../src/rule/time.js";
import { Matcher } from "../src/wasm/matcher.js";

const GIB = 2 ** 30;
const MIB = 2 ** 20;

function size(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  if (text === "0") return 0;
  const n = parseSize(text);
  if (n === undefined) throw new Error(`${name}: not a size: ${text}`);
  return n;
}

/** The repository root: the first folder up from here with a package.json. */
function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("no package.json above the bench");
    dir = up;
  }
  return dir;
}

const ROOT = repoRoot();
const BUFFER_SIZE = size("LDS_BENCH_MATCHER_SIZE", 64 * MIB);
const REFERENCE_SIZE = size("LDS_BENCH_REFERENCE_SIZE", 4 * MIB);
const BLOCKS_SIZE = size("LDS_BENCH_BLOCKS_SIZE", 256 * MIB);
const TIME_MS = Number(process.env.LDS_BENCH_TIME_MS ?? 1000);
const FORMATS = (process.env.LDS_BENCH_FORMATS ?? "xml,flat,ecs").split(",") as TextFormat[];
/** "A few hits per GB" and "one per 10 KiB". */
const RATES = [
  ["realistic", 4],
  ["dense", GIB / (10 * 1024)],
] as const;

// The build from this checkout (dist-bench/ is not next to build/ the way src/ and dist/ are).
const module = new WebAssembly.Module(readFileSync(join(ROOT, "build", "matcher.wasm")));

const TASKMGR = /taskmgr/i;
const DMP = /\.dmp/i;

/**
 * The plain-JS baseline: Buffer.indexOf("lsass") (memchr on `l`), the record around each hit
 * (line / `<Event ... </Event>`), a cheap check that it mentions taskmgr and .dmp (latin1 text,
 * case-insensitive regexes), then JSON.parse / the reference XML field extraction and
 * matchEvent. Case-sensitive on `lsass` and blind to escapes, so it does less than the matcher
 * (the generated true positives spell `lsass` plainly, in lower case).
 */
function indexOfScan(buf: Buffer, format: TextFormat): number {
  let matches = 0;
  let from = 0;
  for (;;) {
    const at = buf.indexOf("lsass", from);
    if (at < 0) return matches;
    let start: number;
    let end: number;
    if (format === "xml") {
      start = buf.lastIndexOf("<Event ", at);
      end = buf.indexOf("</Event>", at) + 8;
    } else {
      start = buf.lastIndexOf(10, at) + 1;
      end = buf.indexOf(10, at);
      if (end < 0) end = buf.length;
    }
    from = end;
    const text = buf.toString("latin1", start, end);
    if (!TASKMGR.test(text) || !DMP.test(text)) continue;
    const record = buf.subarray(start, end);
    const fields = format === "xml" ? xmlEventFields(record) : jsonEventFields(JSON.parse(record.toString("utf8")));
    if (fields !== undefined && matchEvent(fields, normalizeTime) !== null) matches++;
  }
}

async function* oneChunk(buf: Uint8Array): AsyncGenerator<Uint8Array> {
  yield buf;
}

async function engineMatches(engine: Engine, buf: Buffer, format: TextFormat): Promise<number> {
  let n = 0;
  await engine.scanStream(oneChunk(buf), format, () => n++);
  return n;
}

function expectCount(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: ${got} matches, the generator planted ${want}`);
}

interface Line {
  dataset: string;
  wasm: number;
  searcher: number;
  indexOf: number;
  reference: number;
}

async function matcherTable(): Promise<Line[]> {
  const lines: Line[] = [];
  for (const format of FORMATS) {
    for (const [rateName, hitsPerGb] of RATES) {
      const data = generateBuffer({ format, size: BUFFER_SIZE, seed: 1, hitsPerGb });
      const small = generateBuffer({ format, size: REFERENCE_SIZE, seed: 1, hitsPerGb });
      const buf = data.buffer;
      // The matcher alone: the data already sits in its input region (one region for all of it).
      // One byte more than the data, so the scan never carries bytes to the front (the data stays put across runs).
      const matcher = new Matcher(module, buf.length + 1);
      matcher.input.set(buf);
      const wasmOnce = (): number => {
        const stats = emptyStats();
        const searcher = new TextSearcher(matcher, format, () => {}, stats);
        searcher.commit(buf.length);
        searcher.finish();
        return stats.matches;
      };
      const engine = createWasmEngine({ module });
      expectCount(`${format} ${rateName} wasm`, wasmOnce(), data.hits);
      expectCount(`${format} ${rateName} searcher`, await engineMatches(engine, buf, format), data.hits);
      expectCount(`${format} ${rateName} indexOf`, indexOfScan(buf, format), data.hits);
      expectCount(
        `${format} ${rateName} reference`,
        await engineMatches(referenceEngine, small.buffer, format),
        small.hits,
      );

      const bench = new Bench({ time: TIME_MS, iterations: 5 });
      bench.add("wasm", wasmOnce);
      bench.add("searcher", async () => {
        await engineMatches(engine, buf, format);
      });
      bench.add("indexOf", () => indexOfScan(buf, format));
      bench.add("reference", async () => {
        await engineMatches(referenceEngine, small.buffer, format);
      });
      await bench.run();
      const p50 = (name: string): number => {
        const r = bench.getTask(name)?.result;
        if (r === undefined || !("latency" in r)) throw new Error(`${name}: no result`);
        return r.latency.p50;
      };
      lines.push({
        dataset: `${format} ${rateName} (${data.hits} hits in ${(buf.length / MIB).toFixed(0)} MiB)`,
        wasm: buf.length / (p50("wasm") * 1e6),
        searcher: buf.length / (p50("searcher") * 1e6),
        indexOf: buf.length / (p50("indexOf") * 1e6),
        reference: small.buffer.length / (p50("reference") * 1e6),
      });
      console.error(`done: ${format} ${rateName}`);
    }
  }
  return lines;
}

/** Whole-file scans from the page cache per block size. */
async function blockTable(): Promise<[number, number][]> {
  if (BLOCKS_SIZE === 0) return [];
  const dir = join(ROOT, "bench", ".data");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `matcher-blocks-xml-${BLOCKS_SIZE}.log`);
  if (!existsSync(path) || statSync(path).size < BLOCKS_SIZE * 0.99) {
    const data = generateBuffer({ format: "xml", size: BLOCKS_SIZE, seed: 2, hitsPerGb: 4 });
    const fd = openSync(path, "w");
    writeSync(fd, data.buffer);
    closeSync(fd);
  }
  const bytes = statSync(path).size;
  const out: [number, number][] = [];
  const bench = new Bench({ time: TIME_MS, iterations: 5 });
  const blocks = [256 * 1024, MIB, 4 * MIB, 16 * MIB, 64 * MIB];
  for (const blockBytes of blocks) {
    const engine = createWasmEngine({ module, blockBytes });
    await engine.scanFile(path, "xml", () => {}); // warm the page cache and the instance
    bench.add(String(blockBytes), async () => {
      await engine.scanFile(path, "xml", () => {});
    });
  }
  await bench.run();
  for (const blockBytes of blocks) {
    const r = bench.getTask(String(blockBytes))?.result;
    if (r !== undefined && "latency" in r) out.push([blockBytes, bytes / (r.latency.p50 * 1e6)]);
  }
  return out;
}

const cpu = cpus()[0]?.model ?? "unknown cpu";
console.log(`# matcher bench, ${new Date().toISOString()}`);
console.log(
  `node ${process.version}, ${cpu} x${cpus().length}, buffers ${BUFFER_SIZE / MIB} MiB (reference ${REFERENCE_SIZE / MIB} MiB)`,
);
console.log("");
console.log(
  "| dataset | wasm matcher GB/s | wasm engine (stream, 4 MiB blocks) GB/s | Buffer.indexOf scanner GB/s | reference GB/s | wasm / indexOf | wasm / reference |",
);
console.log("|---|---|---|---|---|---|---|");
for (const l of await matcherTable()) {
  console.log(
    `| ${l.dataset} | ${l.wasm.toFixed(2)} | ${l.searcher.toFixed(2)} | ${l.indexOf.toFixed(2)} | ${l.reference.toFixed(3)} | ${(l.wasm / l.indexOf).toFixed(1)}x | ${(l.wasm / l.reference).toFixed(0)}x |`,
  );
}
const blocks = await blockTable();
if (blocks.length > 0) {
  console.log("");
  console.log(`| block (XML file, ${BLOCKS_SIZE / MIB} MiB, page cache) | GB/s |`);
  console.log("|---|---|");
  for (const [b, g] of blocks) console.log(`| ${b >= MIB ? `${b / MIB} MiB` : `${b / 1024} KiB`} | ${g.toFixed(2)} |`);
}
