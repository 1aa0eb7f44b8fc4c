/**
 * Benchmark sizes and switches, all from the environment so that CI can run small and a
 * person can run big without editing code. Every knob is named `LDS_BENCH_*`; `npm run bench`
 * prints the values it used at the top of its table.
 */

import { availableParallelism } from "node:os";
import { parseSize } from "../src/cli/parse-size.js";

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/** Suites `npm run bench` knows, in the order it runs them. */
export const SUITE_NAMES = [
  "matcher",
  "evtx",
  "pool",
  "e2e",
  "small-files",
  "rss",
  "gzip",
  "matcher-team",
  "evtx-files",
  "utf16",
  "stdin-zip",
  "embed",
  "speed",
] as const;
/** One suite's name. */
export type SuiteName = (typeof SUITE_NAMES)[number];

/** Everything a run may vary. */
export interface BenchConfig {
  /** Suites to run (`LDS_BENCH_SUITES=matcher,pool`; default all). */
  suites: SuiteName[];
  /** Seed of every generated corpus (`LDS_BENCH_SEED`); changing it regenerates bench/.data. */
  seed: number;
  /** Fewest timed samples per measurement, after one untimed warm-up run (`LDS_BENCH_SAMPLES`). */
  samples: number;
  /** Least time spent sampling one in-process measurement, ms (`LDS_BENCH_TIME_MS`). */
  timeMs: number;
  /** Matcher: buffer sizes (`LDS_BENCH_BUFFER_SIZES=1k,64k,16m`). */
  bufferSizes: number[];
  /** Matcher: bytes scanned per sample for buffers smaller than this (`LDS_BENCH_MATCHER_VOLUME`). */
  matcherVolume: number;
  /** Pool: file size (`LDS_BENCH_POOL_SIZE`). */
  poolSize: number;
  /** Pool: EVTX file size (`LDS_BENCH_POOL_EVTX_SIZE`). */
  poolEvtxSize: number;
  /** Pool: worker counts (`LDS_BENCH_POOL_WORKERS=1,2`; default 1..cores). */
  poolWorkers: number[];
  /** Pool: shard sizes (`LDS_BENCH_SHARD_SIZES=4m,8m,...`). */
  shardSizes: number[];
  /** End to end: the big XML file (`LDS_BENCH_E2E_SIZE`, default 2g). */
  e2eSize: number;
  /**
   * Largest input the reference engine gets in the CLI suites (`LDS_BENCH_REFERENCE_MAX_SIZE`):
   * it parses every record (~10 MB/s on XML on the 2-core VM, one thread, since it scans text
   * files whole), so 2 GiB would take minutes; its rows use inputs cut down to this size.
   */
  referenceMaxSize: number;
  /** Many small files: how many (`LDS_BENCH_SMALL_FILES`) ... */
  smallFiles: number;
  /** ... of what size (`LDS_BENCH_SMALL_FILE_SIZE`). */
  smallFileSize: number;
  /** Peak RSS input size (`LDS_BENCH_RSS_SIZE`, default 10g). */
  rssSize: number;
  /** gzip: uncompressed size of the .gz input (`LDS_BENCH_GZIP_SIZE`). */
  gzipSize: number;
  /** utf16: size of the UTF-8 text whose UTF-16LE copy is scanned (`LDS_BENCH_UTF16_SIZE`). */
  utf16Size: number;
  /** stdin-zip: size of the XML stored in the zip piped to the CLI (`LDS_BENCH_STDIN_ZIP_SIZE`, default 2g). */
  stdinZipSize: number;
}

function sizeFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const n = parseSize(text);
  if (n === undefined) throw new Error(`${name}: not a size: "${text}" (use e.g. 4k, 64m, 2g)`);
  return n;
}

function sizesFromEnv(name: string, fallback: number[]): number[] {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  return text.split(",").map((part) => {
    const n = parseSize(part);
    if (n === undefined) throw new Error(`${name}: not a size: "${part}"`);
    return n;
  });
}

function intFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: not a whole number: "${text}"`);
  return n;
}

function intsFromEnv(name: string, fallback: number[]): number[] {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  return text.split(",").map((part) => {
    const n = Number(part);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: not a whole number ≥ 1: "${part}"`);
    return n;
  });
}

function suitesFromEnv(): SuiteName[] {
  const text = process.env.LDS_BENCH_SUITES;
  if (text === undefined || text === "" || text === "all") return [...SUITE_NAMES];
  return text.split(",").map((name) => {
    if (!(SUITE_NAMES as readonly string[]).includes(name)) {
      throw new Error(`LDS_BENCH_SUITES: unknown suite "${name}" (know: ${SUITE_NAMES.join(", ")})`);
    }
    return name as SuiteName;
  });
}

/** The full run's configuration: the sizes unless the environment says otherwise. */
export function benchConfig(): BenchConfig {
  const cores = availableParallelism();
  return {
    suites: suitesFromEnv(),
    seed: intFromEnv("LDS_BENCH_SEED", 1),
    samples: Math.max(1, intFromEnv("LDS_BENCH_SAMPLES", 5)),
    timeMs: intFromEnv("LDS_BENCH_TIME_MS", 1000),
    bufferSizes: sizesFromEnv("LDS_BENCH_BUFFER_SIZES", [KIB, 64 * KIB, 16 * MIB]),
    matcherVolume: sizeFromEnv("LDS_BENCH_MATCHER_VOLUME", 4 * MIB),
    // 2 GiB, the end-to-end file (made once for both): at ~5 GB/s a 1 GiB scan took ~190 ms, of
    // which starting the pool's threads is a fair share, so scaling did not show.
    poolSize: sizeFromEnv("LDS_BENCH_POOL_SIZE", 2 * GIB),
    // 512 MiB: 128 MiB took ~80 ms with one worker, mostly pool start-up.
    poolEvtxSize: sizeFromEnv("LDS_BENCH_POOL_EVTX_SIZE", 512 * MIB),
    poolWorkers: intsFromEnv(
      "LDS_BENCH_POOL_WORKERS",
      Array.from({ length: cores }, (_, i) => i + 1),
    ),
    shardSizes: sizesFromEnv("LDS_BENCH_SHARD_SIZES", [4 * MIB, 8 * MIB, 16 * MIB, 32 * MIB, 64 * MIB, 128 * MIB]),
    e2eSize: sizeFromEnv("LDS_BENCH_E2E_SIZE", 2 * GIB),
    referenceMaxSize: sizeFromEnv("LDS_BENCH_REFERENCE_MAX_SIZE", 64 * MIB),
    smallFiles: intFromEnv("LDS_BENCH_SMALL_FILES", 2000),
    smallFileSize: sizeFromEnv("LDS_BENCH_SMALL_FILE_SIZE", MIB),
    rssSize: sizeFromEnv("LDS_BENCH_RSS_SIZE", 10 * GIB),
    gzipSize: sizeFromEnv("LDS_BENCH_GZIP_SIZE", 512 * MIB),
    utf16Size: sizeFromEnv("LDS_BENCH_UTF16_SIZE", 512 * MIB),
    stdinZipSize: sizeFromEnv("LDS_BENCH_STDIN_ZIP_SIZE", 2 * GIB),
  };
}

/** `16 MiB`, `1 KiB`, `2 GiB`: sizes as the table prints them. */
export function formatSize(bytes: number): string {
  const units: [number, string][] = [
    [GIB, "GiB"],
    [MIB, "MiB"],
    [KIB, "KiB"],
  ];
  for (const [unit, name] of units) {
    if (bytes >= unit) {
      const v = bytes / unit;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${name}`;
    }
  }
  return `${bytes} B`;
}
