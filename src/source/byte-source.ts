/**
 * Where an input's bytes come from, for the searchers: a file on disk or an object behind a
 * URL (read with HTTP Range requests, see http-source.ts). The searchers read byte ranges through
 * this one interface, so the shard-edge logic (records counted by the shard they start in,
 * reading past a shard's end to the next sync point) is the same code for both. Remote sources
 * are loaded only when a URL is met: a local scan never loads undici.
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { describeError, ScanError } from "../errors.js";

export { readFully } from "./read-fully.js";

/** Random access to one input's bytes. */
export interface ByteSource {
  /** The input as messages name it (a URL without its query string). */
  readonly name: string;
  /** Bytes in the input (as planned: a source that changes size is reported by its reads). */
  readonly size: number;
  /**
   * Reads up to `length` bytes at `position` into `target` at `offset` and resolves to how many
   * were read: fewer only at the end of the input (0 at or past it). Rejects with a ScanError
   * naming the input.
   */
  read(target: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /**
   * Says that bytes [from, to) are read next, in order: a remote source asks for them in one
   * request instead of one per read. Optional to call; reads outside it still work.
   */
  expect(from: number, to: number): void;
  /** Lets go of the file or connection. */
  close(): Promise<void>;
}

/** An input as a task names it: a path or URL, with what planning already learned about it. */
export interface SourceRef {
  /** A file path, or an http(s) URL (a presigned one, query string and all). */
  path: string;
  /** How messages name it (default: the path, or the URL without its query string). */
  name?: string | undefined;
  /** Size when planned (a remote object is then not asked again). */
  size?: number | undefined;
  /** A remote object's ETag when planned: reads ask for exactly that version. */
  etag?: string | undefined;
}

/** A path, or a {@link SourceRef}. */
export type SourceLocation = string | SourceRef;

/** True for the http:// and https:// URLs that {@link openByteSource} reads remotely. */
export function isUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/** The path or URL of a location. */
export function locationPath(location: SourceLocation): string {
  return typeof location === "string" ? location : location.path;
}

/** Opens a location for random reads. Rejects with a ScanError naming the input when it cannot. */
export async function openByteSource(location: SourceLocation): Promise<ByteSource> {
  const ref = typeof location === "string" ? { path: location } : location;
  if (isUrl(ref.path)) {
    const { openHttpSource } = await import("./http-source.js");
    return openHttpSource(ref);
  }
  return openFileSource(ref.path, ref.name);
}

/** A file on disk, read with fs.readSync (the bytes go straight where the caller wants them). */
function openFileSource(path: string, given: string | undefined): ByteSource {
  const name = given ?? path;
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new ScanError("LDS_E_INPUT_UNREADABLE", describeError(err), name, { cause: err });
  }
  try {
    size = fstatSync(fd).size;
  } catch (err) {
    closeSync(fd);
    throw new ScanError("LDS_E_INPUT_UNREADABLE", describeError(err), name, { cause: err });
  }
  let open = true;
  return {
    name,
    size,
    async read(target, offset, length, position) {
      try {
        return readSync(fd, target, offset, length, position);
      } catch (err) {
        throw new ScanError("LDS_E_INPUT_UNREADABLE", describeError(err), name, { cause: err });
      }
    },
    expect() {},
    async close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/**
 * Bytes [from, to) of `source` as chunks of at most `chunkBytes` (fresh buffers, so a consumer
 * may keep them), for the stream paths (the reference engine, archives). A local file is read
 * synchronously, so each chunk waits one turn of the event loop: a long scan on the main thread
 * still lets Ctrl-C and the pool's messages in (as a read stream did).
 */
export async function* sourceChunks(
  source: ByteSource,
  from = 0,
  to = source.size,
  chunkBytes = 1 << 20,
): AsyncGenerator<Uint8Array> {
  source.expect(from, to);
  let position = from;
  while (position < to) {
    const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, to - position));
    const n = await source.read(buffer, 0, buffer.length, position);
    if (n === 0) return;
    position += n;
    yield buffer.subarray(0, n);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The location to hand an engine for a planned file: the path itself for a local file (with the
 * name its messages use when that is not the path), a {@link SourceRef} carrying name, size and ETag for a URL (so it is not probed again
 * and reads ask for exactly the planned version).
 */
export function plannedLocation(file: {
  path: string;
  name: string;
  size: number;
  etag?: string | undefined;
}): SourceLocation {
  if (!isUrl(file.path)) return file.name === file.path ? file.path : { path: file.path, name: file.name };
  return { path: file.path, name: file.name, size: file.size, etag: file.etag };
}
