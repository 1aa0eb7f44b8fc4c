/**
 * Fixtures for the input-layer tests, made by the tests themselves: a tiny zip writer (stored and
 * deflated members, so no `zip` binary is needed), tar and gzip through the real libraries, and a
 * collector that runs expandInputs and reads every item the way the scanner does.
 */

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { deflateRawSync } from "node:zlib";
import { pack } from "tar-stream";
import { afterEach, beforeEach } from "vitest";
import { type ExpandOptions, expandInputs, type InputItem } from "../../src/scan/inputs.js";

/** CRC-32 (IEEE 802.3, reflected, as zip and gzip use), table driven, after the zip APPNOTE. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** One member for {@link makeZip}. */
export interface ZipEntrySpec {
  name: string;
  data: string | Uint8Array;
  /** Default "deflate". */
  method?: "stored" | "deflate";
  /** Sets the "encrypted" flag and adds the 12-byte encryption header (the data itself is left as is). */
  encrypted?: boolean;
  /** Overrides the compression method number written (for "unsupported method" tests). */
  methodNumber?: number;
  /** Overrides the unpacked size written in both headers (for "the directory lies" tests). */
  declaredSize?: number;
}

/** A zip file with the given members (local headers, central directory, end record; UTF-8 names). */
export function makeZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.from(entry.data);
    const name = Buffer.from(entry.name, "utf8");
    const deflate = (entry.method ?? "deflate") === "deflate";
    const packed = deflate ? deflateRawSync(data) : data;
    // Traditional PKWARE encryption puts a 12-byte header before the data (yauzl checks the size).
    const body = entry.encrypted ? Buffer.concat([Buffer.alloc(12), packed]) : packed;
    const method = entry.methodNumber ?? (deflate ? 8 : 0);
    const flags = 0x0800 | (entry.encrypted ? 0x0001 : 0);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.declaredSize ?? data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.declaredSize ?? data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** One member for {@link makeTar}. */
export interface TarEntrySpec {
  name: string;
  data?: string | Uint8Array;
  type?: "file" | "directory" | "symlink";
  linkname?: string;
}

/** A ustar archive made by tar-stream's packer. */
export async function makeTar(entries: TarEntrySpec[]): Promise<Buffer> {
  const packer = pack();
  const out = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of packer as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  })();
  for (const entry of entries) {
    const type = entry.type ?? "file";
    if (type === "file") packer.entry({ name: entry.name, type }, Buffer.from(entry.data ?? ""));
    else packer.entry({ name: entry.name, type, linkname: entry.linkname ?? "" });
  }
  packer.finalize();
  return out;
}

/** `tar` turned into an old v7 archive: the ustar magic and version blanked, header checksums redone. */
export function toV7Tar(tar: Buffer): Buffer {
  const v7 = Buffer.from(tar);
  let at = 0;
  while (at + 512 <= v7.length && v7[at] !== 0) {
    const header = v7.subarray(at, at + 512);
    header.fill(0, 257, 265);
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    const size = Number.parseInt(header.toString("latin1", 124, 136).replace(/\0.*$/, "").trim() || "0", 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return v7;
}

/** A fresh temporary folder with the given files (paths relative to it); returns its path. */
export function tempTree(files: Record<string, string | Uint8Array> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "lds-inputs-"));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(root, name), data);
  return root;
}

/** Removes a folder made by {@link tempTree}. */
export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** A temporary folder that each test of the file gets afresh, and files written into it. */
export interface TestFolder {
  /** The current test's folder. */
  readonly root: string;
  /** Writes `data` as `name` under the folder and returns its path. */
  file(name: string, data: string | Uint8Array): string;
  /** `text` with every "<folder>/" taken out, so messages read the same in every run. */
  rel(text: string): string;
}

/** Makes a fresh {@link tempTree} before each test of the calling file and removes it after. */
export function folderPerTest(): TestFolder {
  let root = "";
  beforeEach(() => {
    root = tempTree();
  });
  afterEach(() => removeTree(root));
  return {
    get root() {
      return root;
    },
    file(name, data) {
      const path = join(root, name);
      writeFileSync(path, data);
      return path;
    },
    rel: (text) => text.split(`${root}/`).join(""),
  };
}

/** What the tests look at for one item. */
export type Seen =
  | { kind: "file"; name: string; explicit: boolean; size: number; head: string }
  | { kind: "stream"; name: string; explicit: boolean; size?: number; head: string; text: string; thrown?: string }
  | { kind: "problem"; name: string; code: string; message: string }
  | { kind: "skipped"; name: string; reason: string }
  | { kind: "warning"; name: string; message: string };

/**
 * Runs expandInputs and reads every stream item to its end, as the scanner does; an error thrown
 * while reading is recorded as `thrown` (message, and its code after a space in brackets).
 */
export async function collect(args: string[], options?: ExpandOptions): Promise<Seen[]> {
  const seen: Seen[] = [];
  for await (const item of expandInputs(args, options)) seen.push(await look(item));
  return seen;
}

/** Reads one item fully and describes it. */
export async function look(item: InputItem): Promise<Seen> {
  switch (item.kind) {
    case "file":
      return { kind: "file", name: item.name, explicit: item.explicit, size: item.size, head: text(item.head) };
    case "problem":
      return { kind: "problem", name: item.name, code: item.error.code, message: item.error.message };
    case "skipped":
      return { kind: "skipped", name: item.name, reason: item.reason };
    case "warning":
      return { kind: "warning", name: item.name, message: item.message };
    case "stream": {
      const chunks: Uint8Array[] = [];
      let thrown: string | undefined;
      try {
        for await (const chunk of item.chunks) chunks.push(chunk);
      } catch (err) {
        const e = err as Error & { code?: string };
        thrown = `${e.message} [${e.code ?? e.name}]`;
      }
      const seen: Seen = {
        kind: "stream",
        name: item.name,
        explicit: item.explicit,
        head: text(item.head),
        text: text(Buffer.concat(chunks)),
      };
      if (item.size !== undefined) seen.size = item.size;
      if (thrown !== undefined) seen.thrown = thrown;
      return seen;
    }
  }
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
}

/** Open file descriptors of this process, or undefined where /proc is not there. */
export function openFdCount(): number | undefined {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}

/** A stdin stand-in that delivers `data` in chunks of `chunkSize` bytes. */
export function fakeStdin(data: Uint8Array, chunkSize = 1000): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += chunkSize) parts.push(Buffer.from(data.subarray(at, at + chunkSize)));
  return Readable.from(parts, { objectMode: false });
}

/** Pseudo-random bytes (deterministic), incompressible enough that a gzip of them is as large. */
export function noise(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A text of `lines` JSON lines, for members whose content the tests compare. */
export function jsonLines(lines: number, tag = "x"): string {
  let out = "";
  for (let i = 0; i < lines; i++) out += `{"EventID":11,"n":${i},"tag":"${tag}"}\n`;
  return out;
}
