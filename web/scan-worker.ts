/**
 * A scan worker: takes tasks from the page, reads its file in slices (Blob.slice, never whole),
 * opens gzip, zip (fflate), xz (xz-decompress, XZ Embedded in WebAssembly), zstd (fzstd) and tar
 * (512-byte headers, read here) and scans every log in it with the library's push scanner, as
 * the command line's codecs do. Posts progress per slice and one result per task.
 */

import { Unzip, UnzipInflate } from "fflate";
import { Decompress as ZstdDecompress } from "fzstd";
import xz from "xz-decompress";
import { scannerOf } from "../src/engine/scanner.js";
import { resolveScannerOptions } from "../src/engine/scanner-options.js";
import {
  CHUNK_SIZE,
  evtxChunkCount,
  evtxChunksStart,
  FILE_HEADER_SIZE,
  missingChunks,
} from "../src/formats/evtx/layout.js";
import { CodecError, decompressReason } from "../src/scan/decompress-reason.js";
import { PushGunzip } from "../src/scan/push-gunzip.js";
import {
  Aggregates,
  archiveKindOf,
  type ByteSource,
  createScanner,
  evtxChunkRangeOfBytes,
  firstSyncAtOrAfter,
  type InputHit,
  loadMatcher,
  type Scanner,
  type TextFormat,
  utf16BomOf,
  whyNotALog,
} from "../src/web/index.js";
import type { FromWorker, ScanTask, TaskResult, ToWorker } from "./protocol.js";

/** Bytes read from the file per slice. */
const SLICE_BYTES = 4 * 1024 * 1024;
/** Bytes kept of each input's head, to say why it is not a log. */
const HEAD_BYTES = 4096;

const encoder = new TextEncoder();

const post = (message: FromWorker): void => (self as unknown as Worker).postMessage(message);

/** Collects one task's findings. */
class TaskSink {
  readonly aggregates = new Aggregates();
  readonly result: TaskResult = { entries: [], hits: [], problems: [], skipped: [], malformed: [], bytes: 0 };

  /** A scanner for one input (a file, or a member `archive:member`); by default one that detects the format. */
  input(input: string, member?: string, scanner: Scanner = createScanner()): MemberScan {
    return new MemberScan(this, input, member, scanner);
  }

  finish(): TaskResult {
    this.result.entries = this.aggregates.entries();
    return this.result;
  }
}

/**
 * One input through one scanner; its head kept to explain a skip. UTF-16 text (a byte order
 * mark, as PowerShell writes) is transcoded to UTF-8 first, as the CLI does: the mark dropped,
 * an unpaired surrogate or odd last byte as U+FFFD (TextDecoder's rules are the CLI's).
 */
class MemberScan {
  readonly #scanner: Scanner;
  #head = new Uint8Array(0);
  #utf16: TextDecoder | undefined;
  #decided = false;

  constructor(
    readonly sink: TaskSink,
    readonly input: string,
    readonly member: string | undefined,
    scanner: Scanner,
  ) {
    this.#scanner = scanner;
  }

  get name(): string {
    return this.member === undefined ? this.input : `${this.input}:${this.member}`;
  }

  push(bytes: Uint8Array, offsetBase = 0): void {
    if (!this.#decided && bytes.length > 0) {
      this.#decided = true;
      const encoding = utf16BomOf(bytes);
      if (encoding !== undefined) this.#utf16 = new TextDecoder(encoding);
    }
    if (this.#utf16 !== undefined) {
      this.#pushText(encoder.encode(this.#utf16.decode(bytes, { stream: true })), offsetBase);
      return;
    }
    this.#pushText(bytes, offsetBase);
  }

  #pushText(bytes: Uint8Array, offsetBase: number): void {
    if (this.#head.length < HEAD_BYTES) {
      const more = bytes.subarray(0, HEAD_BYTES - this.#head.length);
      const head = new Uint8Array(this.#head.length + more.length);
      head.set(this.#head);
      head.set(more, this.#head.length);
      this.#head = head;
    }
    this.#take(this.#scanner.push(bytes), offsetBase);
  }

  end(offsetBase = 0): void {
    if (this.#utf16 !== undefined) this.#pushText(encoder.encode(this.#utf16.decode()), offsetBase);
    this.#take(this.#scanner.end(), offsetBase);
    const stats = this.#scanner.stats();
    if (this.#scanner.format === undefined && !this.#gzipProblem(stats.problems)) {
      this.sink.result.skipped.push({ name: this.name, reason: whyNotALog(this.#head) });
      return;
    }
    this.sink.result.bytes += stats.bytes;
    if (stats.malformedRecords > 0) this.sink.result.malformed.push({ name: this.name, count: stats.malformedRecords });
    for (const problem of stats.problems) this.sink.result.problems.push(`${this.name}: ${problem}`);
  }

  #gzipProblem(problems: readonly string[]): boolean {
    return problems.some((p) => p.startsWith("gzip:"));
  }

  #take(hits: ReturnType<Scanner["push"]>, offsetBase: number): void {
    for (const hit of hits) {
      const inputHit: InputHit = { ...hit, offset: hit.offset + offsetBase, input: this.input };
      if (this.member !== undefined) inputHit.member = this.member;
      this.sink.result.hits.push(inputHit);
      this.sink.aggregates.add(hit);
    }
  }
}

/**
 * Reads `file[start, end)` in slices, calling `onBytes` for each; progress as it goes unless
 * `report` is false (shards report their nominal share instead, so shards add up to the file).
 */
async function readSlices(
  task: ScanTask,
  start: number,
  end: number,
  onBytes: (b: Uint8Array) => void,
  report = true,
): Promise<void> {
  for (let at = start; at < end; at += SLICE_BYTES) {
    const to = Math.min(end, at + SLICE_BYTES);
    const bytes = new Uint8Array(await task.file.slice(at, to).arrayBuffer());
    onBytes(bytes);
    if (report) post({ type: "progress", id: task.id, bytes: bytes.length });
  }
}

/** Tar members, parsed from 512-byte headers as they stream by (POSIX ustar, GNU long names, pax paths). */
class TarWalker {
  #block = new Uint8Array(512);
  #filled = 0;
  #remaining = 0;
  #padding = 0;
  #member: MemberScan | undefined;
  #longName: string | undefined;
  #collect: { kind: "L" | "x"; parts: Uint8Array[]; size: number } | undefined;
  #ended = false;

  constructor(
    readonly sink: TaskSink,
    readonly input: string,
  ) {}

  push(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length && !this.#ended) {
      if (this.#remaining > 0) {
        const n = Math.min(this.#remaining, bytes.length - at);
        const piece = bytes.subarray(at, at + n);
        if (this.#member !== undefined) this.#member.push(piece);
        else if (this.#collect !== undefined) this.#collect.parts.push(piece.slice());
        this.#remaining -= n;
        at += n;
        if (this.#remaining === 0) this.#endEntry();
        continue;
      }
      if (this.#padding > 0) {
        const n = Math.min(this.#padding, bytes.length - at);
        this.#padding -= n;
        at += n;
        continue;
      }
      const n = Math.min(512 - this.#filled, bytes.length - at);
      this.#block.set(bytes.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === 512) {
        this.#filled = 0;
        this.#header(this.#block);
      }
    }
  }

  end(): void {
    if (this.#member !== undefined || this.#remaining > 0) {
      this.sink.result.problems.push(`${this.input}: tar: unexpected end of archive`);
      this.#member?.end();
      this.#member = undefined;
    }
  }

  #header(h: Uint8Array): void {
    if (h.every((b) => b === 0)) {
      this.#ended = true;
      return;
    }
    const text = (from: number, length: number): string => {
      const raw = h.subarray(from, from + length);
      const zero = raw.indexOf(0);
      return new TextDecoder().decode(zero >= 0 ? raw.subarray(0, zero) : raw);
    };
    const size = Number.parseInt(text(124, 12).trim() || "0", 8);
    const type = String.fromCharCode(h[156] || 0x30);
    const prefix = text(257, 6).startsWith("ustar") ? text(345, 155) : "";
    const name = this.#longName ?? (prefix !== "" ? `${prefix}/${text(0, 100)}` : text(0, 100));
    this.#remaining = size;
    this.#padding = (512 - (size % 512)) % 512;
    if (type === "L" || type === "x") {
      this.#collect = { kind: type, parts: [], size };
    } else if (type === "0" || type === "\0" || type === "7") {
      this.#longName = undefined;
      this.#member = this.sink.input(this.input, name);
    } else {
      this.#longName = undefined;
    }
    if (size === 0) this.#endEntry();
  }

  #endEntry(): void {
    if (this.#member !== undefined) {
      this.#member.end();
      this.#member = undefined;
    } else if (this.#collect !== undefined) {
      const all = new Uint8Array(this.#collect.size);
      let at = 0;
      for (const p of this.#collect.parts) {
        all.set(p, at);
        at += p.length;
      }
      const text = new TextDecoder().decode(all);
      if (this.#collect.kind === "L") this.#longName = text.replace(/\0.*$/s, "");
      else {
        const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
        if (path?.[1] !== undefined) this.#longName = path[1];
      }
      this.#collect = undefined;
    }
  }
}

/** The bytes of a file: a tar walker or a log scanner, decided from the first 512 bytes. */
class Sniffed {
  #head: Uint8Array[] = [];
  #headBytes = 0;
  #target: { push(b: Uint8Array): void; end(): void } | undefined;

  constructor(
    readonly sink: TaskSink,
    readonly input: string,
  ) {}

  push(bytes: Uint8Array): void {
    if (this.#target !== undefined) {
      this.#target.push(bytes);
      return;
    }
    this.#head.push(bytes.slice());
    this.#headBytes += bytes.length;
    if (this.#headBytes >= 512) this.#decide();
  }

  end(): void {
    if (this.#target === undefined) this.#decide();
    this.#target?.end();
  }

  #decide(): void {
    const head = new Uint8Array(this.#headBytes);
    let at = 0;
    for (const p of this.#head) {
      head.set(p, at);
      at += p.length;
    }
    this.#target = archiveKindOf(head) === "tar" ? new TarWalker(this.sink, this.input) : this.sink.input(this.input);
    this.#target.push(head);
    this.#head = [];
  }
}

async function scanZip(task: ScanTask, sink: TaskSink): Promise<void> {
  const pending: Promise<void>[] = [];
  const unzip = new Unzip((entry) => {
    if (entry.name.endsWith("/")) return;
    const scan = sink.input(task.name, entry.name);
    pending.push(
      new Promise((resolve) => {
        entry.ondata = (err, data, final) => {
          if (err) {
            sink.result.problems.push(`${task.name}:${entry.name}: corrupt zip member (${err.message})`);
            resolve();
            return;
          }
          scan.push(data);
          if (final) {
            scan.end();
            resolve();
          }
        };
        entry.start();
      }),
    );
  });
  unzip.register(UnzipInflate);
  try {
    await readSlices(task, 0, task.file.size, (bytes) => unzip.push(bytes, false));
    unzip.push(new Uint8Array(0), true);
  } catch (err) {
    sink.result.problems.push(`${task.name}: corrupt zip (${err instanceof Error ? err.message : String(err)})`);
  }
  await Promise.all(pending);
}

async function scanGzip(task: ScanTask, sink: TaskSink): Promise<void> {
  const inner = new Sniffed(sink, task.name);
  const gunzip = new PushGunzip((bytes) => inner.push(bytes));
  await readSlices(task, 0, task.file.size, (bytes) => gunzip.push(bytes));
  gunzip.end();
  inner.end();
  if (gunzip.failure !== undefined) sink.result.problems.push(`${task.name}: gzip: ${gunzip.failure}`);
}

/** An xz file (concatenated streams too), decompressed as its slices are read; a failure is one problem. */
async function scanXz(task: ScanTask, sink: TaskSink): Promise<void> {
  const inner = new Sniffed(sink, task.name);
  let at = 0;
  let ended = false;
  const compressed = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (at >= task.file.size) {
          ended = true;
          controller.close();
          return;
        }
        const to = Math.min(task.file.size, at + SLICE_BYTES);
        const bytes = new Uint8Array(await task.file.slice(at, to).arrayBuffer());
        post({ type: "progress", id: task.id, bytes: bytes.length });
        at = to;
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
  const reader = new xz.XzReadableStream(compressed).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      inner.push(value);
    }
  } catch (err) {
    sink.result.problems.push(`${task.name}: ${decompressReason("xz", new CodecError("xz", ended, err))}`);
  }
  inner.end();
}

/** A zstd file (several frames back to back too), decompressed as its slices are read; a failure is one problem. */
async function scanZstd(task: ScanTask, sink: TaskSink): Promise<void> {
  const inner = new Sniffed(sink, task.name);
  const decompress = new ZstdDecompress((chunk) => inner.push(chunk));
  let ended = false;
  try {
    await readSlices(task, 0, task.file.size, (bytes) => decompress.push(bytes, false));
    ended = true;
    decompress.push(new Uint8Array(0), true);
  } catch (err) {
    sink.result.problems.push(`${task.name}: ${decompressReason("zstd", new CodecError("zstd", ended, err))}`);
  }
  inner.end();
}

/**
 * An EVTX shard: the file header, then the chunks whose start lies in [start, end) (the CLI's
 * evtxChunkRangeOfBytes), scanned with their true chunk indexes so offsets and problems read as
 * in a whole-file scan.
 */
async function scanEvtxShard(task: ScanTask, sink: TaskSink, shard: NonNullable<ScanTask["shard"]>): Promise<void> {
  const size = task.file.size;
  const head = new Uint8Array(await task.file.slice(0, FILE_HEADER_SIZE).arrayBuffer());
  const chunksStart = evtxChunksStart(head) ?? FILE_HEADER_SIZE;
  const [first, last] = evtxChunkRangeOfBytes(shard.start, shard.end, size, chunksStart);
  // The shard holding byte 0 checks the header's chunk count, as the CLI's shard of byte 0 does.
  const missing = shard.start === 0 ? missingChunks(head, evtxChunkCount(size, chunksStart), size) : undefined;
  if (missing !== undefined) sink.result.problems.push(`${task.name}: ${missing}`);
  if (first < last) {
    const options = { ...resolveScannerOptions({ format: "evtx" }), evtxFirstChunk: first };
    const scan = sink.input(task.name, undefined, scannerOf(options));
    scan.push(head.subarray(0, chunksStart));
    const from = chunksStart + first * CHUNK_SIZE;
    const to = Math.min(size, chunksStart + last * CHUNK_SIZE);
    await readSlices(task, from, to, (bytes) => scan.push(bytes), false);
    scan.end();
  }
  post({ type: "progress", id: task.id, bytes: shard.end - shard.start });
}

async function scanShard(task: ScanTask, sink: TaskSink, shard: NonNullable<ScanTask["shard"]>): Promise<void> {
  if (shard.format === "evtx") return scanEvtxShard(task, sink, shard);
  const source: ByteSource = {
    name: task.name,
    size: task.file.size,
    async read(target, offset, length, position) {
      const bytes = new Uint8Array(await task.file.slice(position, position + length).arrayBuffer());
      target.set(bytes, offset);
      return bytes.length;
    },
    expect() {},
    async close() {},
  };
  const format = shard.format as TextFormat;
  const from = await firstSyncAtOrAfter(source, format, shard.start);
  const to = await firstSyncAtOrAfter(source, format, shard.end);
  const scan = sink.input(task.name, undefined, createScanner({ format: shard.format }));
  // Progress counts the shard's nominal bytes, so shards add up to the file's size.
  let counted = 0;
  const nominal = shard.end - shard.start;
  if (from < to) {
    await readSlices(
      task,
      from,
      to,
      (bytes) => {
        scan.push(bytes, from);
        const share = Math.min(bytes.length, nominal - counted);
        counted += share;
        if (share > 0) post({ type: "progress", id: task.id, bytes: share });
      },
      false,
    );
  }
  scan.end(from);
  if (counted < nominal) post({ type: "progress", id: task.id, bytes: nominal - counted });
}

async function runTask(task: ScanTask): Promise<TaskResult> {
  const sink = new TaskSink();
  if (task.shard !== undefined) {
    await scanShard(task, sink, task.shard);
    return sink.finish();
  }
  const head = new Uint8Array(await task.file.slice(0, 512).arrayBuffer());
  const kind = archiveKindOf(head);
  if (kind === "zip") await scanZip(task, sink);
  else if (kind === "gzip") await scanGzip(task, sink);
  else if (kind === "xz") await scanXz(task, sink);
  else if (kind === "zstd") await scanZstd(task, sink);
  else {
    const target = kind === "tar" ? new TarWalker(sink, task.name) : sink.input(task.name);
    await readSlices(task, 0, task.file.size, (bytes) => target.push(bytes));
    target.end();
  }
  return sink.finish();
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "init") {
    await loadMatcher(message.module);
    post({ type: "ready" });
    return;
  }
  let result: TaskResult;
  try {
    result = await runTask(message.task);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    result = {
      entries: [],
      hits: [],
      problems: [`${message.task.name}: cannot read: ${why}`],
      skipped: [],
      malformed: [],
      bytes: 0,
    };
  }
  post({ type: "result", id: message.task.id, result });
};
