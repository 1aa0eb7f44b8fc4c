/**
 * The input layer: turns what the user named (files, directories, `-`) into the items to scan,
 * opening archives by their content, not their names: gzip, zip, tar, and any nesting of them
 * (`x.tar.gz`, a zip inside a tar.gz, a `.gz` inside a tar). Nothing is extracted to disk; archive
 * members are streamed (a zip found inside another archive or on stdin is the exception: yauzl
 * needs random access, so it is held in memory, up to a cap).
 *
 * Promises: items come in a fixed order (arguments as given, directories sorted, archive members
 * in archive order); a broken input gives one problem naming it (`x.tar.gz:member.json` when the
 * member is known) and the run goes on; no descriptor or stream outlives the generator, also
 * when the consumer stops early.
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { resolve } from "node:path";
import { describeError, ScanError } from "../errors.js";
import { SNIFF_BYTES } from "../formats/log-format.js";
import { type ByteSource, isUrl, openByteSource, type SourceRef, sourceChunks } from "../source/byte-source.js";
import { redactText, redactUrl } from "../source/redact.js";
import { isS3Url } from "../source/s3-objects.js";
import { type ArchiveKind, archiveKindOf } from "./archive-kind.js";
import type { ArchiveMember } from "./archive-member.js";
import { ByteFault, FaultMapper, type FaultOrigin, mapErrors } from "./byte-fault.js";
import { PeekableBytes } from "./peekable-bytes.js";
import type { StreamCompression } from "./stream-decompress.js";
import { spillToTempFile } from "./temp-spill.js";
import { utf16BomOf, utf16ToUtf8 } from "./utf16-text.js";
import { pathProblem, Walker } from "./walk.js";
import type { ZipSource, ZipStripe } from "./zip-members.js";

/** One thing to scan, or a note on one that cannot be. See {@link expandInputs}. */
export type InputItem =
  | {
      /**
       * A plain file on disk that is neither an archive nor UTF-16 text (those come as streams,
       * unless `expandArchives` is false): the engine reads it itself, by path.
       */
      kind: "file";
      /** The path as the user would recognize it. */
      name: string;
      /** Where to open it (the same string as `name`). */
      path: string;
      size: number;
      /** True for a path the user named, false for a file met while walking a directory. */
      explicit: boolean;
      /** Its first bytes, up to {@link SNIFF_BYTES} (fewer when the file is shorter; empty for an empty file). */
      head: Uint8Array;
      /**
       * A remote object (`path` is its http(s) URL, `name` the URL without its query string or
       * `s3://bucket/key`): its strong ETag, when the server gave one.
       */
      etag?: string | undefined;
    }
  | {
      /** Standard input, a fifo the user named, an archive member (decompressed), or UTF-16 text (as UTF-8). */
      kind: "stream";
      /** `-`, the path, or `archive.zip:member/path.json` (nested: `outer.tar.gz:inner.zip:m.json`). */
      name: string;
      /** True for stdin and paths the user named (also when gzipped), false for archive members. */
      explicit: boolean;
      /** The first bytes, up to {@link SNIFF_BYTES}. */
      head: Uint8Array;
      /**
       * All the item's bytes from offset 0 (`head` included). Iterable once, and only until the
       * next item is asked for. A read that fails throws a {@link ScanError} naming the item
       * (`LDS_E_CORRUPT_ARCHIVE` for a corrupt or truncated archive).
       */
      chunks: AsyncIterable<Uint8Array>;
      /** Uncompressed size when the archive states it; unknown for gzip and stdin. */
      size?: number;
    }
  | {
      /** Could not be read: missing path, permission, corrupt or truncated archive, symbolic link loop. */
      kind: "problem";
      name: string;
      /** Its message is one line and names the input (`x.tar.gz: unexpected end of file (truncated gzip)`). */
      error: ScanError;
    }
  | {
      /** Deliberately not read: a fifo or device met while walking, a link inside a tar, ... */
      kind: "skipped";
      name: string;
      reason: string;
    }
  | {
      /**
       * Read in full, but not quite well-formed (a zip with bytes after its end record, a gzip
       * with trailing garbage). Comes after the items of the input it names.
       */
      kind: "warning";
      name: string;
      /** One line, without the input's name. */
      message: string;
    };

/** Options of {@link expandInputs}. */
export interface ExpandOptions {
  /** Follow symbolic links met while walking directories (default true; named links are always followed). */
  followSymlinks?: boolean;
  /** What `-` reads (default `process.stdin`). */
  stdin?: NodeJS.ReadableStream;
  /**
   * The largest zip held in memory: one inside another archive, or on stdin (default
   * {@link DEFAULT_MAX_BUFFERED_ZIP}). A larger one is spilled to a temporary file and read
   * from there, so memory stays flat whatever its size.
   */
  maxBufferedNestedZip?: number;
  /**
   * Open archives and transcode UTF-16 files (default true). When false, such a file on disk
   * comes as a plain `file` item (`archiveKindOf(item.head)` or `utf16BomOf(item.head)` tells
   * it), for a caller that opens it elsewhere, e.g. in a worker thread with
   * `expandInputs([path])`; stdin and fifos are still opened here.
   */
  expandArchives?: boolean;
  /** Files not to scan when met inside a directory (the run's own output file); any paths, resolved here. */
  exclude?: readonly string[] | undefined;
  /**
   * A large zip shared by several tasks (pool/plan.ts): this task reads its stripe of the
   * members of the zip named in `args` (see {@link ZipStripe}). A stripe other than 0 of a file
   * that is no zip (any more) yields nothing, so nothing is scanned twice.
   */
  zipStripe?: ZipStripe | undefined;
  /**
   * Whether the paths in `args` count as named by the user (default true). False for a file
   * the caller met while walking a folder and hands on (a worker opening an archive), so what
   * is in it is treated as met in a folder too: content that is no log is skipped, not a problem.
   */
  named?: boolean;
}

/**
 * 16 MiB: larger than the log zips we have seen published (the OTRF zips are under 1 MiB), so
 * those are read from memory; small enough that a zip piped in (`cat 2GiB.zip | scan -`) stays
 * far under the 200 MiB peak RSS budget while it is spilled to disk.
 */
export const DEFAULT_MAX_BUFFERED_ZIP = 16 * 1024 * 1024;

/**
 * Archives inside archives are opened this deep, no deeper: real log bundles nest two or three
 * levels (tar.gz of zips), while a decompression quine (a gzip that inflates to itself) would
 * nest forever.
 */
export const MAX_ARCHIVE_NESTING = 8;

/**
 * Bytes read from a file per call when streaming an archive, after the first {@link SNIFF_BYTES}.
 * 256 KiB: streaming the corpus tar.gz (790 KB, 22.5 MB inflated) took the same with 64 KiB,
 * 256 KiB and 1 MiB reads (fastest of 15 runs: 41-43 ms each, about 0.5 GB/s inflated; gunzip
 * dominates; 2-core VM, Node 20.20), and a fixed 256 KiB keeps memory per open archive small.
 */
const READ_CHUNK = 256 * 1024;

interface Context {
  /** How many archives the current bytes are inside. */
  readonly depth: number;
  readonly maxBufferedZip: number;
  readonly expandArchives: boolean;
  /** The stripe of a file named in `args`, when it is a zip (see ExpandOptions.zipStripe). */
  readonly zipStripe?: ZipStripe | undefined;
  /**
   * Regular files already given in this run, by `dev:ino`, with the name first used: a file
   * named twice, or reached again through a link, is scanned once (its events counted once).
   */
  readonly filesSeen: Map<string, string>;
}

/** A byte stream on its way down the layers, with the name and flags its items will carry. */
interface ByteInput {
  readonly name: string;
  readonly explicit: boolean;
  readonly bytes: PeekableBytes;
  readonly size: number | undefined;
}

/**
 * The items to scan for the paths in `args`, in order: files as named; directories walked
 * recursively (entries sorted by name, depth first, symbolic links followed without ever walking
 * a directory twice); `-` is standard input (at most once). Archives (gzip, zip, tar, nested) are
 * recognized by their content and yield their members.
 *
 * Contract with the consumer: read each `stream` item's `chunks` to the end, or stop reading it,
 * before asking for the next item; what is left unread is skipped then (and reading it later
 * throws). Ending the loop early (`break`, or `return()` on the iterator) closes everything.
 *
 * Errors never escape as exceptions from the generator: each becomes a `problem` item naming the
 * input, after which the generator goes on with the next input (or the next member, when the
 * archive around it is intact). An error while the consumer reads a member's `chunks` is thrown
 * from that iteration as a {@link ScanError} naming the archive and member, and not reported again.
 */
export async function* expandInputs(
  args: readonly (string | SourceRef)[],
  options: ExpandOptions = {},
): AsyncGenerator<InputItem> {
  const context: Context = {
    depth: 0,
    maxBufferedZip: options.maxBufferedNestedZip ?? DEFAULT_MAX_BUFFERED_ZIP,
    expandArchives: options.expandArchives ?? true,
    zipStripe: options.zipStripe,
    filesSeen: new Map(),
  };
  const walker = new Walker({
    followSymlinks: options.followSymlinks ?? true,
    exclude: new Set((options.exclude ?? []).map((p) => resolve(p))),
  });
  let stdinSeen = false;
  const named = options.named ?? true;
  for (const given of args) {
    const arg = typeof given === "string" ? given : given.path;
    if (isUrl(arg)) {
      const name = (typeof given === "string" ? undefined : given.name) ?? redactUrl(arg);
      const ref = typeof given === "string" ? { path: arg } : given;
      yield* guarded(name, expandUrl({ ...ref, name }, named, context));
      continue;
    }
    if (isS3Url(arg)) {
      yield* guarded(arg, expandS3(arg, context));
      continue;
    }
    if (arg === "-") {
      if (stdinSeen) {
        const error = new ScanError("LDS_E_USAGE", "-: standard input is named more than once", "-");
        yield { kind: "problem", name: "-", error };
        continue;
      }
      stdinSeen = true;
      yield* guarded("-", expandStdin(options.stdin ?? process.stdin, context));
      continue;
    }
    for await (const entry of walker.walk(arg)) {
      if (entry.kind === "file")
        yield* guarded(entry.path, expandFile({ ...entry, explicit: entry.explicit && named }, context));
      else yield entry;
    }
  }
}

/**
 * `items`, with anything that escapes them turned into a problem of `name`: a last guard, so a
 * bug in one input's handling cannot end the run (the layers below report their own errors).
 */
async function* guarded(name: string, items: AsyncGenerator<InputItem>): AsyncGenerator<InputItem> {
  try {
    yield* items;
  } catch (err) {
    const error = err instanceof ByteFault ? err.toScanError() : unexpected(name, err);
    yield { kind: "problem", name: error.input ?? name, error };
  }
}

/** A file on disk (or a fifo the user named). */
async function* expandFile(
  file: { path: string; explicit: boolean; regular: boolean },
  context: Context,
): AsyncGenerator<InputItem> {
  const { path, explicit, regular } = file;
  const { zipStripe } = context;
  if (zipStripe !== undefined && zipStripe.index > 0) {
    // Another stripe of a zip: its members, or nothing (stripe 0 reads a file that is no zip).
    const peeked = regular ? peekRegularFile(path) : undefined;
    if (peeked !== undefined && archiveKindOf(peeked.head) === "zip") yield* expandZip({ path }, path, context);
    return;
  }
  if (regular) {
    // The same test as below, on a synchronous peek: a plain file is yielded at once.
    const peeked = peekRegularFile(path);
    if (peeked !== undefined) {
      const first = context.filesSeen.get(peeked.identity);
      if (first !== undefined) {
        yield { kind: "skipped", name: path, reason: `same file as ${first}, already scanned` };
        return;
      }
      context.filesSeen.set(peeked.identity, path);
    }
    const plain =
      peeked !== undefined && archiveKindOf(peeked.head) === undefined && utf16BomOf(peeked.head) === undefined;
    if (peeked !== undefined && (plain || !context.expandArchives)) {
      yield { kind: "file", name: path, path, size: peeked.size, explicit, head: peeked.head };
      return;
    }
  }
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (err) {
    yield pathProblem(path, err) as InputItem;
    return;
  }
  let closed = false;
  const closeFile = async () => {
    if (closed) return;
    closed = true;
    await handle.close().catch(() => {});
  };
  const origin: FaultOrigin = {};
  const faults = new FaultMapper(origin, (err) => ({
    code: "LDS_E_INPUT_UNREADABLE",
    input: path,
    reason: describeError(err),
  }));
  try {
    const size = regular ? (await handle.stat()).size : undefined;
    const bytes = new PeekableBytes(mapErrors(fileChunks(handle), (err) => faults.fault(err)));
    const head = await bytes.peek(SNIFF_BYTES);
    const kind = archiveKindOf(head);
    const plain = kind === undefined && utf16BomOf(head) === undefined;
    if ((plain || !context.expandArchives) && size !== undefined) {
      await closeFile();
      yield { kind: "file", name: path, path, size, explicit, head };
    } else if (kind === "zip" && size !== undefined) {
      await closeFile();
      yield* expandZip({ path }, path, context);
    } else if (kind === "7z" && size !== undefined) {
      await closeFile();
      yield* expandSevenZip(path, path, { ...context, depth: context.depth + 1 });
    } else {
      yield* expandBytes({ name: path, explicit, bytes, size }, context);
    }
  } catch (err) {
    const problem = ownProblem(err, origin, path);
    if (problem !== undefined) yield problem;
  } finally {
    await closeFile();
  }
}

/**
 * A regular file's size and first {@link SNIFF_BYTES}, read synchronously: four system calls
 * instead of four thread-pool round trips (~0.2 ms a file on the 2-core VM, a fifth of a
 * folder of 1 MiB EVTX files' scan). Undefined on any error: the streaming path below then
 * opens it again and reports the error as it always has.
 */
function peekRegularFile(path: string): { size: number; head: Uint8Array; identity: string } | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    const size = Number(stats.size);
    const identity = `${stats.dev}:${stats.ino}`;
    const head = Buffer.allocUnsafe(Math.min(SNIFF_BYTES, size));
    let got = 0;
    while (got < head.length) {
      const n = readSync(fd, head, got, head.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return { size, head: head.subarray(0, got), identity };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The file's bytes: first {@link SNIFF_BYTES} (all a plain file needs), then larger reads. */
async function* fileChunks(handle: FileHandle): AsyncGenerator<Uint8Array> {
  let size = SNIFF_BYTES;
  for (;;) {
    const buffer = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(buffer, 0, size, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
    size = READ_CHUNK;
  }
}

/** Standard input. */
async function* expandStdin(stream: NodeJS.ReadableStream, context: Context): AsyncGenerator<InputItem> {
  const origin: FaultOrigin = {};
  const faults = new FaultMapper(origin, (err) => ({
    code: "LDS_E_INPUT_UNREADABLE",
    input: "-",
    reason: describeError(err),
  }));
  const bytes = new PeekableBytes(mapErrors(asBytes(stream), (err) => faults.fault(err)));
  try {
    yield* expandBytes({ name: "-", explicit: true, bytes, size: undefined }, context);
  } catch (err) {
    const problem = ownProblem(err, origin, "-");
    if (problem !== undefined) yield problem;
  } finally {
    // Left half read (the consumer stopped early): let go of it, so the process can exit.
    if (!bytes.finished) (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
}

async function* asBytes(stream: NodeJS.ReadableStream): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield typeof chunk === "string" ? Buffer.from(chunk) : chunk;
}

/** 7-Zip's reader, loaded when the first 7z is opened (see {@link tarMembers}). */
async function* sevenZipMembers(path: string, name: string, origin: FaultOrigin): AsyncGenerator<ArchiveMember> {
  const sevenZip = await import("./sevenzip-members.js");
  yield* sevenZip.sevenZipMembers(path, name, origin);
}

/** tar-stream, loaded when the first tar is opened: a run without archives never loads it (start-up). */
async function* tarMembers(input: PeekableBytes, name: string, origin: FaultOrigin): AsyncGenerator<ArchiveMember> {
  const tar = await import("./tar-members.js");
  yield* tar.tarMembers(input, name, origin);
}

/** yauzl, loaded when the first zip is opened (see {@link tarMembers}). */
async function* zipMembers(
  source: ZipSource,
  name: string,
  origin: FaultOrigin,
  stripe?: ZipStripe,
): AsyncGenerator<ArchiveMember> {
  const zip = await import("./zip-members.js");
  yield* zip.zipMembers(source, name, origin, stripe);
}

/** Any byte stream: an archive is opened, UTF-16 text is transcoded, anything else is a `stream` item. */
async function* expandBytes(input: ByteInput, context: Context): AsyncGenerator<InputItem> {
  const head = await input.bytes.peek(SNIFF_BYTES);
  const kind = archiveKindOf(head);
  if (kind !== undefined) {
    yield* expandArchive(kind, input, context);
    return;
  }
  const encoding = utf16BomOf(head);
  if (encoding === undefined) {
    yield* streamItem(input, head);
    return;
  }
  // UTF-16 text (PowerShell's default): the item is its UTF-8 text, and detection sees that.
  const bytes = new PeekableBytes(utf16ToUtf8(input.bytes.chunks(), encoding));
  yield* streamItem({ ...input, bytes, size: undefined }, await bytes.peek(SNIFF_BYTES));
}

async function* expandArchive(kind: ArchiveKind, input: ByteInput, context: Context): AsyncGenerator<InputItem> {
  if (context.depth >= MAX_ARCHIVE_NESTING) {
    const message = `${input.name}: archives nested more than ${MAX_ARCHIVE_NESTING} deep, not opened`;
    yield { kind: "problem", name: input.name, error: new ScanError("LDS_E_UNSUPPORTED", message, input.name) };
    return;
  }
  const inner: Context = { ...context, depth: context.depth + 1 };
  if (kind === "gzip") yield* expandGzip(input, inner);
  else if (kind === "tar")
    yield* expandMembers(input.name, (origin) => tarMembers(input.bytes, input.name, origin), inner);
  else if (kind === "zip") yield* expandBufferedZip(input, inner);
  else if (kind === "7z") yield* expandSpilledSevenZip(input, inner);
  else yield* expandCompressed(kind, input, inner);
}

/** xz, bzip2 or zstd: like gzip, the content keeps the compressed input's name and is looked into again. */
async function* expandCompressed(
  compression: StreamCompression,
  input: ByteInput,
  context: Context,
): AsyncGenerator<InputItem> {
  const origin: FaultOrigin = {};
  // Loaded on first use, as the codecs themselves: a run without xz, bzip2 or zstd skips it (start-up).
  const { decompressStream } = await import("./stream-decompress.js");
  const decompressed = decompressStream(compression, input.bytes, input.name, origin);
  try {
    yield* expandBytes({ ...input, bytes: decompressed.bytes, size: undefined }, context);
  } catch (err) {
    const problem = ownProblem(err, origin, input.name);
    if (problem !== undefined) yield problem;
  } finally {
    decompressed.destroy();
  }
}

/** A 7z on disk, read in place. */
function expandSevenZip(path: string, name: string, context: Context): AsyncGenerator<InputItem> {
  return expandMembers(name, (origin) => sevenZipMembers(path, name, origin), context);
}

/** A 7z that is not a file of its own: spilled to a temporary file first (7-Zip needs one). */
async function* expandSpilledSevenZip(input: ByteInput, context: Context): AsyncGenerator<InputItem> {
  const spilled = await spillToTempFile([], input.bytes, "archive.7z");
  try {
    yield* expandSevenZip(spilled.path, input.name, context);
  } finally {
    await spilled.remove();
  }
}

/** A gzip: its content keeps the gzip's name (`x.json.gz`) and is looked into again (`x.tar.gz`). */
async function* expandGzip(input: ByteInput, context: Context): AsyncGenerator<InputItem> {
  const origin: FaultOrigin = {};
  // Loaded when the first gzip is met (start-up: a run of plain logs skips it).
  const { gunzip } = await import("./gzip-bytes.js");
  const inflated = gunzip(input.bytes, input.name, origin);
  try {
    yield* expandBytes({ ...input, bytes: inflated.bytes, size: undefined }, context);
    const trailing = inflated.trailing;
    if (trailing !== undefined) yield { kind: "warning", name: input.name, message: trailing };
  } catch (err) {
    const problem = ownProblem(err, origin, input.name);
    if (problem !== undefined) yield problem;
  } finally {
    inflated.destroy();
  }
}

/** A zip on disk, read in place. */
function expandZip(source: { path: string }, name: string, context: Context): AsyncGenerator<InputItem> {
  const { zipStripe } = context;
  return expandMembers(name, (origin) => zipMembers(source, name, origin, zipStripe), {
    ...context,
    zipStripe: undefined,
    depth: context.depth + 1,
  });
}

/**
 * A zip that is not a file of its own (yauzl needs random access): held in memory when it is
 * small, else spilled to a temporary file, so a zip of any size can come on stdin.
 */
async function* expandBufferedZip(input: ByteInput, context: Context): AsyncGenerator<InputItem> {
  const read = await readAtMost(input.bytes, context.maxBufferedZip);
  if (read.complete) {
    const buffer = Buffer.concat(read.chunks);
    yield* expandMembers(input.name, (origin) => zipMembers({ buffer }, input.name, origin), context);
    return;
  }
  const spilled = await spillToTempFile(read.chunks, input.bytes, "archive.zip");
  try {
    yield* expandMembers(input.name, (origin) => zipMembers({ path: spilled.path }, input.name, origin), context);
  } finally {
    await spilled.remove();
  }
}

/** The chunks of `bytes` up to `limit` bytes; `complete` when that was all (else it stopped reading past the limit). */
async function readAtMost(bytes: PeekableBytes, limit: number): Promise<{ chunks: Uint8Array[]; complete: boolean }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = await bytes.read();
    if (chunk === undefined) return { chunks, complete: true };
    total += chunk.length;
    chunks.push(chunk);
    if (total > limit) return { chunks, complete: false };
  }
}

/** The members of a tar, zip or 7z, each looked into again; named `archive:member`. */
async function* expandMembers(
  archive: string,
  members: (origin: FaultOrigin) => AsyncGenerator<ArchiveMember>,
  context: Context,
): AsyncGenerator<InputItem> {
  const origin: FaultOrigin = {};
  try {
    for await (const member of members(origin)) {
      if (member.kind === "warning") {
        yield { kind: "warning", name: archive, message: member.message };
        continue;
      }
      const name = `${archive}:${member.name}`;
      if (member.kind === "skipped") {
        yield { kind: "skipped", name, reason: member.reason };
      } else if (member.kind === "problem") {
        yield { kind: "problem", name, error: member.error };
      } else {
        try {
          yield* expandBytes({ name, explicit: false, bytes: member.bytes, size: member.size }, context);
        } catch (err) {
          // A member that fails on its own (zip) is reported here and the archive goes on.
          if (!(err instanceof ByteFault) || err.origin !== member.origin || member.origin === origin) throw err;
          if (!err.delivered) yield { kind: "problem", name: err.input, error: err.toScanError() };
        }
      }
    }
  } catch (err) {
    const problem = ownProblem(err, origin, archive);
    if (problem !== undefined) yield problem;
  }
}

/** A non-archive byte stream as an item; once the consumer asks for the next item, it can no longer be read. */
async function* streamItem(input: ByteInput, head: Uint8Array): AsyncGenerator<InputItem> {
  const state = { started: false, movedOn: false };
  const chunks: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => itemChunks(input, state) };
  try {
    yield { kind: "stream", name: input.name, explicit: input.explicit, head, chunks, size: input.size };
  } finally {
    state.movedOn = true;
  }
}

async function* itemChunks(
  input: ByteInput,
  state: { started: boolean; movedOn: boolean },
): AsyncGenerator<Uint8Array> {
  if (state.started) throw new Error(`${input.name}: chunks can be read only once`);
  state.started = true;
  for (;;) {
    if (state.movedOn) throw new Error(`${input.name}: chunks read after expandInputs moved on to the next item`);
    let chunk: Uint8Array | undefined;
    try {
      chunk = await input.bytes.read();
    } catch (err) {
      if (!(err instanceof ByteFault)) throw unexpected(input.name, err);
      err.delivered = true;
      throw err.toScanError(input.name);
    }
    if (chunk === undefined) return;
    yield chunk;
  }
}

/**
 * What a layer (identified by `origin`) does with an error it caught: its own fault becomes a
 * problem (none when the consumer was already told); a fault of an outer layer is rethrown for
 * that layer to report; anything else is a problem of `name`.
 */
function ownProblem(err: unknown, origin: FaultOrigin, name: string): InputItem | undefined {
  if (err instanceof ByteFault) {
    if (err.origin !== origin) throw err;
    return err.delivered ? undefined : { kind: "problem", name: err.input, error: err.toScanError() };
  }
  return { kind: "problem", name, error: unexpected(name, err) };
}

function unexpected(name: string, err: unknown): ScanError {
  return new ScanError("LDS_E_INPUT_UNREADABLE", `${name}: ${describeError(err)}`, name, { cause: err });
}

// Remote inputs: http(s) URLs and s3:// prefixes (src/source/, loaded only when one is named).

/** Every object of an `s3://bucket/prefix`, each read as a presigned URL named `s3://bucket/key`. */
async function* expandS3(arg: string, context: Context): AsyncGenerator<InputItem> {
  const { listS3Objects } = await import("../source/s3-objects.js");
  try {
    for await (const object of listS3Objects(arg)) {
      const ref = { path: object.url, name: object.name, size: object.size, etag: object.etag };
      yield* guarded(object.name, expandUrl(ref, object.name === arg, context));
    }
  } catch (err) {
    yield { kind: "problem", name: arg, error: remoteError(arg, err) };
  }
}

/** A remote failure as a problem's error: one line naming the input, its code kept. */
function remoteError(name: string, err: unknown): ScanError {
  if (err instanceof ScanError) {
    const message = err.message.startsWith(`${name}: `) ? err.message : `${name}: ${err.message}`;
    return new ScanError(err.code, message, name, { cause: err });
  }
  return new ScanError("LDS_E_INPUT_UNREADABLE", `${name}: ${redactText(describeError(err))}`, name, { cause: err });
}

/**
 * An http(s) object. Its first ranged GET tells what it is: a plain log from a server that
 * honours ranges is a `file` item (engines and shards read it by ranges); a zip is opened in
 * place (yauzl over ranged reads); gzip and tar are streamed through ranged reads (retried and
 * resumed); without ranges the whole answer is streamed once, like stdin.
 */
async function* expandUrl(
  ref: SourceRef & { name: string },
  explicit: boolean,
  context: Context,
): AsyncGenerator<InputItem> {
  const { name } = ref;
  const { probeUrl } = await import("../source/http-source.js");
  let probe: Awaited<ReturnType<typeof probeUrl>>;
  try {
    probe = await probeUrl(ref.path, SNIFF_BYTES, name);
  } catch (err) {
    yield { kind: "problem", name, error: remoteError(name, err) };
    return;
  }
  const origin: FaultOrigin = {};
  const faults = new FaultMapper(origin, (err) => ({
    code: err instanceof ScanError ? err.code : "LDS_E_INPUT_UNREADABLE",
    input: name,
    reason: err instanceof ScanError ? err.message : redactText(describeError(err)),
  }));
  let source: ByteSource | undefined;
  let chunks: AsyncIterable<Uint8Array>;
  const size = probe.size;
  if (probe.ranges && probe.size !== undefined) {
    const planned = { path: ref.path, name, size: probe.size, etag: probe.etag ?? ref.etag };
    const kind = archiveKindOf(probe.head);
    if (kind === undefined || !context.expandArchives) {
      yield { kind: "file", ...planned, explicit, head: probe.head };
      return;
    }
    if (kind === "zip") {
      const inner = { ...context, depth: context.depth + 1 };
      yield* expandMembers(name, (o) => zipMembers({ remote: planned }, name, o), inner);
      return;
    }
    source = await openByteSource(planned);
    chunks = sourceChunks(source, 0, planned.size, READ_CHUNK);
  } else {
    chunks = probe.body ?? (async function* () {})();
  }
  const bytes = new PeekableBytes(mapErrors(chunks, (err) => faults.fault(err)));
  try {
    yield* expandBytes({ name, explicit, bytes, size }, context);
  } catch (err) {
    const problem = ownProblem(err, origin, name);
    if (problem !== undefined) yield problem;
  } finally {
    await source?.close();
    if (source === undefined && !bytes.finished) (probe.body as { destroy?: () => void } | undefined)?.destroy?.();
  }
}
