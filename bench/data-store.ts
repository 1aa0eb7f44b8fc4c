/**
 * Generated benchmark inputs on disk, in bench/.data/ (gitignored), made once and reused: a
 * file is regenerated only when it is missing, when its manifest (a `.json` beside it) names
 * other options (seed, size, hit rate), or when the generator's source changed since. Each
 * manifest also carries the answer (true positives planted), which every benchmark asserts
 * before it measures.
 *
 * Big inputs check the free disk space first and say how much they need.
 */

import { createHash } from "node:crypto";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import type { TextFormat } from "../src/formats/log-format.js";
import { generateCorpus } from "../src/generate/index.js";
import { formatSize } from "./config.js";
import { buildEvtxCorpus } from "./evtx-corpus.js";
import { lastRecordEnd } from "./generated-layout.js";

/** The repository root: the folder holding bench/tsconfig.json (works from bench/ and dist-bench/bench/). */
export const REPO_ROOT: string = findRepoRoot();
/** Where generated inputs live. */
export const DATA_DIR: string = join(REPO_ROOT, "bench", ".data");

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "bench", "tsconfig.json")) && existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("bench: cannot find the repository root (no bench/tsconfig.json above)");
    dir = up;
  }
}

/** A generated input and its answer. */
export interface DataFile {
  /** File (or folder, for many small files). */
  path: string;
  /** Bytes of log data (uncompressed). */
  bytes: number;
  /** True positives in it: what a correct scan counts. */
  hits: number;
  /** Files in it (1 for a file). */
  files: number;
}

interface Manifest extends DataFile {
  /** What it was made from; any difference regenerates it. */
  recipe: string;
}

const fingerprints = new Map<string, string>();

/** A hash of the sources that decide the bytes of a generated input. */
function sourceFingerprint(kind: "text" | "evtx"): string {
  let known = fingerprints.get(kind);
  if (known !== undefined) return known;
  const hash = createHash("sha256");
  const folders = kind === "text" ? ["src/generate"] : ["test/helpers"];
  for (const folder of folders) {
    for (const name of readdirSync(join(REPO_ROOT, folder)).sort()) {
      if (name.endsWith(".ts")) hash.update(readFileSync(join(REPO_ROOT, folder, name)));
    }
  }
  if (kind === "evtx") hash.update(readFileSync(join(REPO_ROOT, "bench", "evtx-corpus.ts")));
  known = hash.digest("hex").slice(0, 16);
  fingerprints.set(kind, known);
  return known;
}

function readManifest(path: string, recipe: string): Manifest | undefined {
  try {
    const m = JSON.parse(readFileSync(`${path}.json`, "utf8")) as Manifest;
    if (m.recipe !== recipe || !existsSync(path)) return undefined;
    if (m.files === 1 && statSync(path).size !== m.bytes) return undefined;
    return m;
  } catch {
    return undefined;
  }
}

function writeManifest(manifest: Manifest): void {
  writeFileSync(`${manifest.path}.json`, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Throws a clear message when bench/.data cannot take `bytes` more (plus 1 GiB to spare). */
export function ensureFreeSpace(bytes: number, what: string): void {
  mkdirSync(DATA_DIR, { recursive: true });
  const fs = statfsSync(DATA_DIR);
  const free = fs.bavail * fs.bsize;
  const spare = 2 ** 30;
  if (free < bytes + spare) {
    throw new Error(
      `bench: ${what} needs ${formatSize(bytes)} in ${DATA_DIR} (+1 GiB to spare) but only ${formatSize(free)} is free; ` +
        "set a smaller size (see bench/RESULTS.md, LDS_BENCH_*) or free some space",
    );
  }
}

function say(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/** What a text corpus is made from. */
export interface TextCorpusSpec {
  format: TextFormat;
  size: number;
  seed: number;
  hitsPerGb: number;
}

function textRecipe(spec: TextCorpusSpec): string {
  return JSON.stringify({ kind: "text", ...spec, generator: sourceFingerprint("text") });
}

const EXTENSIONS: Record<TextFormat, string> = {
  xml: "xml",
  flat: "jsonl",
  ecs: "ecs.json",
  evtxdump: "evtxdump.json",
};

/** A text corpus file (`name` tells files of the same format and size apart, e.g. "e2e"). */
export async function textCorpusFile(spec: TextCorpusSpec, name: string): Promise<DataFile> {
  const path = join(DATA_DIR, `${name}-${spec.format}-${sizeLabel(spec.size)}.${EXTENSIONS[spec.format]}`);
  const recipe = textRecipe(spec);
  const known = readManifest(path, recipe);
  if (known !== undefined) return known;
  ensureFreeSpace(spec.size, `the ${formatSize(spec.size)} ${spec.format} corpus`);
  say(`generating ${path} (${formatSize(spec.size)}, seed ${spec.seed}, ${spec.hitsPerGb} hits/GiB)...`);
  const started = performance.now();
  const tmp = `${path}.partial`;
  const result = await generateCorpus({ ...spec, out: tmp });
  renameSync(tmp, path);
  say(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${result.hits} true positives`);
  const manifest: Manifest = { path, bytes: result.bytes, hits: result.hits, files: 1, recipe };
  writeManifest(manifest);
  return manifest;
}

/** An EVTX corpus file built by bench/evtx-corpus.ts. */
export function evtxCorpusFile(spec: { size: number; seed: number; hitsPerGb: number }, name: string): DataFile {
  const path = join(DATA_DIR, `${name}-${sizeLabel(spec.size)}.evtx`);
  const recipe = JSON.stringify({ kind: "evtx", ...spec, writer: sourceFingerprint("evtx") });
  const known = readManifest(path, recipe);
  if (known !== undefined) return known;
  ensureFreeSpace(spec.size, `the ${formatSize(spec.size)} EVTX corpus`);
  say(`building ${path} (${formatSize(spec.size)})...`);
  const corpus = buildEvtxCorpus(spec);
  writeFileSync(`${path}.partial`, corpus.bytes);
  renameSync(`${path}.partial`, path);
  const manifest: Manifest = { path, bytes: corpus.bytes.length, hits: corpus.hits, files: 1, recipe };
  writeManifest(manifest);
  return manifest;
}

/** Splits a byte stream into files of at most `size` bytes, cut between records. */
class FileSplitter extends Writable {
  #pending: Buffer = Buffer.alloc(0);
  files = 0;
  constructor(
    private readonly dir: string,
    private readonly size: number,
    private readonly format: TextFormat,
  ) {
    super();
  }
  #emit(bytes: Buffer): void {
    const fd = openSync(join(this.dir, `part-${String(this.files).padStart(6, "0")}.${EXTENSIONS[this.format]}`), "w");
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    } finally {
      closeSync(fd);
    }
    this.files++;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
      while (this.#pending.length >= this.size) {
        let cut = lastRecordEnd(this.#pending, this.size, this.format);
        if (cut <= 0) cut = lastRecordEnd(this.#pending, this.#pending.length, this.format); // a record longer than size
        if (cut <= 0) break;
        this.#emit(this.#pending.subarray(0, cut));
        this.#pending = this.#pending.subarray(cut);
      }
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
  override _final(callback: (error?: Error | null) => void): void {
    try {
      if (this.#pending.length > 0) this.#emit(this.#pending);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}

/** `count` files of about `size` bytes each (one corpus cut between records), in one folder. */
export async function smallFilesDir(spec: TextCorpusSpec & { count: number }, name: string): Promise<DataFile> {
  const total = spec.count * spec.size;
  const path = join(DATA_DIR, `${name}-${spec.format}-${spec.count}x${sizeLabel(spec.size)}`);
  const recipe = JSON.stringify({ kind: "small-files", ...spec, generator: sourceFingerprint("text") });
  const known = readManifest(path, recipe);
  if (known !== undefined) return known;
  ensureFreeSpace(total, `${spec.count} files of ${formatSize(spec.size)}`);
  say(`generating ${path}/ (${spec.count} files of ${formatSize(spec.size)})...`);
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  const splitter = new FileSplitter(path, spec.size, spec.format);
  const done = new Promise<void>((resolve, reject) => {
    splitter.on("finish", resolve);
    splitter.on("error", reject);
  });
  const result = await generateCorpus({
    format: spec.format,
    size: total,
    seed: spec.seed,
    hitsPerGb: spec.hitsPerGb,
    out: splitter,
  });
  splitter.end();
  await done;
  const manifest: Manifest = { path, bytes: result.bytes, hits: result.hits, files: splitter.files, recipe };
  writeManifest(manifest);
  return manifest;
}

/** A gzip (level 6, gzip's default) of a generated file, beside it. */
export async function gzipOf(source: DataFile): Promise<DataFile & { compressedBytes: number }> {
  const path = `${source.path}.gz`;
  const recipe = JSON.stringify({ kind: "gzip", level: 6, source: readFileSync(`${source.path}.json`, "utf8") });
  const known = readManifest(path, recipe) as (Manifest & { compressedBytes?: number }) | undefined;
  if (known?.compressedBytes !== undefined && statSync(path).size === known.compressedBytes) {
    return { ...known, compressedBytes: known.compressedBytes };
  }
  say(`compressing ${source.path} -> .gz ...`);
  await pipeline(createReadStream(source.path), createGzip({ level: 6 }), createWriteStream(`${path}.partial`));
  renameSync(`${path}.partial`, path);
  const compressedBytes = statSync(path).size;
  // `bytes` stays the uncompressed size (throughput is quoted per byte of log data); the size
  // check in readManifest is skipped for it by `files: 0`.
  const manifest = { path, bytes: source.bytes, hits: source.hits, files: 0, recipe, compressedBytes };
  writeManifest(manifest);
  return manifest;
}

/**
 * `source` as Windows PowerShell 5.1's `Out-File` would write it: UTF-16LE with the byte order
 * mark FF FE (the generator's lines are ASCII and LF; the scanner reads CRLF alike). `bytes`
 * stays the UTF-8 size, so throughput is per byte of the same log text.
 */
export async function utf16Of(source: DataFile): Promise<DataFile & { fileBytes: number }> {
  const path = source.path.replace(/(\.[^.]+)$/, ".utf16le$1");
  const recipe = JSON.stringify({ kind: "utf16le", source: readFileSync(`${source.path}.json`, "utf8") });
  const known = readManifest(path, recipe) as (Manifest & { fileBytes?: number }) | undefined;
  if (known?.fileBytes !== undefined && statSync(path).size === known.fileBytes) {
    return { ...known, fileBytes: known.fileBytes };
  }
  ensureFreeSpace(2 * source.bytes, `the UTF-16 copy of ${source.path}`);
  say(`converting ${source.path} -> UTF-16LE ...`);
  const out = createWriteStream(`${path}.partial`);
  out.write(Buffer.from([0xff, 0xfe]));
  await pipeline(
    createReadStream(source.path, { encoding: "utf8" }),
    async function* (text: AsyncIterable<string>) {
      for await (const piece of text) yield Buffer.from(piece, "utf16le");
    },
    out,
  );
  renameSync(`${path}.partial`, path);
  const fileBytes = statSync(path).size;
  const manifest = { path, bytes: source.bytes, hits: source.hits, files: 0, recipe, fileBytes };
  writeManifest(manifest);
  return manifest;
}

/** `2g`, `512m`, `1k`, `1234b`: sizes in file names. */
function sizeLabel(bytes: number): string {
  for (const [unit, suffix] of [
    [2 ** 30, "g"],
    [2 ** 20, "m"],
    [2 ** 10, "k"],
  ] as const) {
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return `${bytes}b`;
}
