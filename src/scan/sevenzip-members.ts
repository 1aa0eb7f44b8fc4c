/**
 * The members of a 7z archive, through 7z-wasm (7-Zip 24 compiled to WebAssembly, loaded on first
 * use). A 7z keeps its directory at the end and packs members into solid blocks, so it cannot be
 * streamed: 7-Zip lists it, then extracts it once into a private temporary folder (disk use: the
 * archive's unpacked size), and each member is streamed from there and deleted once read. 7-Zip
 * runs synchronously, so extraction holds this thread (archives are scanned on pool threads).
 *
 * Encrypted members are problems ("encrypted 7z member, not read"), and an archive whose headers
 * are encrypted is one problem; no password is ever asked for (7-Zip would read it from our
 * standard input otherwise). A member 7-Zip could not extract whole (a data error, a cut) is
 * scanned as far as it got, then reported.
 */

import { createReadStream } from "node:fs";
import { lstat, mkdir, mkdtemp, open, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve, sep } from "node:path";
import { ScanError } from "../errors.js";
import type { ArchiveMember } from "./archive-member.js";
import { ByteFault, type FaultOrigin, mapErrors } from "./byte-fault.js";
import { PeekableBytes } from "./peekable-bytes.js";

/** One entry of `7z l -slt`. */
interface ListedEntry {
  path: string;
  size: number | undefined;
  directory: boolean;
  /** A symbolic link (its Unix mode, in the attributes, says `l...`). */
  link: boolean;
  encrypted: boolean;
}

/** A 7-Zip run: its exit status and what it printed. */
interface SevenZipRun {
  status: number;
  out: string[];
  err: string[];
}

/** What a run that ended in an uncaught C++ exception printed last. */
const STOPPED = "7-Zip stopped: encrypted headers or a damaged archive";

/** 7-Zip's working folders inside its virtual file system. */
const IN = "/archive";
const OUT = "/extracted";
/**
 * Given so that 7-Zip never prompts for one (it would read our stdin). Encrypted members then
 * fail with "Wrong password?", which we report as encrypted.
 */
const NO_PASSWORD = "-plsass-dump-scan-no-password";

/**
 * Yields the members of the 7z at `path`, in the archive's order, named as stored. Directories
 * are left out. Throws a fault of `origin` when the archive itself cannot be opened (corrupt,
 * truncated, headers encrypted). The temporary folder is removed when the generator ends.
 */
export async function* sevenZipMembers(path: string, name: string, origin: FaultOrigin): AsyncGenerator<ArchiveMember> {
  const workDir = await realpath(await mkdtemp(join(tmpdir(), "lsass-dump-scan-7z-")));
  try {
    const sevenZip = await startSevenZip(dirname(path), workDir);
    const archive = `${IN}/${basename(path)}`;
    const listing = sevenZip(["l", "-slt", NO_PASSWORD, "--", archive]);
    if (listing.status !== 0) {
      let reason = sevenZipReason(listing.err);
      if (isFirstSplitPart(path))
        reason = `first part of a split archive: the parts after it are missing or damaged (${reason})`;
      throw new ByteFault(origin, "LDS_E_CORRUPT_ARCHIVE", name, reason, undefined);
    }
    const entries = parseListing(listing.out).filter((e) => !e.directory);
    const extraction = sevenZip(["x", "-y", "-spd", "-bd", NO_PASSWORD, `-o${OUT}`, "--", archive]);
    const failed = memberErrors(extraction.err);
    for (const entry of entries) {
      const input = `${name}:${entry.path}`;
      if (entry.link) {
        yield { kind: "skipped", name: entry.path, reason: "symbolic link in 7z, not read" };
        continue;
      }
      if (entry.encrypted) {
        const error = new ScanError("LDS_E_UNSUPPORTED", `${input}: encrypted 7z member, not read`, input);
        yield { kind: "problem", name: entry.path, error };
        continue;
      }
      const file = await extractedPath(workDir, entry.path);
      if (file === undefined) {
        const reason = "7z member name leads out of the archive (`..`), not read";
        yield {
          kind: "problem",
          name: entry.path,
          error: new ScanError("LDS_E_UNSUPPORTED", `${input}: ${reason}`, input),
        };
        continue;
      }
      const error = failed.get(entry.path);
      // lstat: a link extracted by 7-Zip is not followed (it could point anywhere on this machine).
      const extracted = await lstat(file).catch(() => undefined);
      if (extracted?.isSymbolicLink() === true) {
        yield { kind: "skipped", name: entry.path, reason: "symbolic link in 7z, not read" };
        continue;
      }
      if (extracted?.isFile() !== true) {
        const reason = error ?? sevenZipReason(extraction.err);
        const problem = new ScanError("LDS_E_CORRUPT_ARCHIVE", `${input}: ${reason}`, input);
        yield { kind: "problem", name: entry.path, error: problem };
        continue;
      }
      const memberOrigin = {};
      const bytes = new PeekableBytes(memberBytes(file, input, error, memberOrigin));
      yield { kind: "data", name: entry.path, size: entry.size, bytes, origin: memberOrigin };
      await rm(file, { force: true });
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Where 7-Zip put the member named `member` inside `workDir` (a real path), or undefined when
 * that path is not inside it: a stored name with `..` (7-Zip writes it elsewhere, and the path
 * would name a file of this machine, which we would read and then delete), or a path through a
 * folder that is a link out of it.
 */
async function extractedPath(workDir: string, member: string): Promise<string | undefined> {
  const file = resolve(workDir, `.${sep}${member}`);
  if (!file.startsWith(workDir + sep)) return undefined;
  const folder = await realpath(dirname(file)).catch(() => undefined);
  if (folder === undefined) return file; // not extracted at all: reported as such by the caller
  return folder === workDir || folder.startsWith(workDir + sep) ? join(folder, basename(file)) : undefined;
}

/** One member taken out of an archive by {@link SevenZipExtractor}: its file, or why there is none. */
export type ExtractedMember =
  | {
      /** The extracted file: scan it, then {@link SevenZipExtractor.remove} it. */
      file: string;
      /** 7-Zip's complaint about the member, when it extracted it only in part. */
      error: string | undefined;
    }
  | {
      /** Why 7-Zip gave nothing: its words ("Unsupported Method", "Data Error"), or that it wrote no file. */
      reason: string;
      /** True when 7-Zip cannot unpack the member's compression method at all. */
      unsupported: boolean;
    };

/** What 7-Zip needs to know of a zip member besides its packed bytes (from the zip's central directory). */
export interface PackedZipMember {
  /** The compression method (APPNOTE 4.4.5: 9 Deflate64, 12 bzip2, 14 LZMA, 98 PPMd, ...). */
  method: number;
  /** The general purpose flags; bits 1 and 2 are kept (LZMA: whether an end marker is there). */
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
}

/**
 * Zip members that yauzl cannot unpack (packed with Deflate64, as Windows Explorer packs zips over
 * 2 GB, or with bzip2, LZMA, PPMd or xz, as 7-Zip can), unpacked by one 7-Zip instance, one at a
 * time: each member's packed bytes are written as the only member of a zip of its own, named `m`,
 * into a private temporary folder, and 7-Zip unpacks that. So the member's stored name is never
 * handed to 7-Zip (a CP437 name, which 7-Zip in WebAssembly decodes otherwise than yauzl, or one
 * with `..`, cannot go astray), and the zip may be anywhere yauzl reads it (disk, memory, a remote
 * object). Disk use: the member, packed and unpacked.
 */
export interface SevenZipExtractor {
  /** Unpacks one member; throws what reading `packed` throws. */
  extract(packed: AsyncIterable<Uint8Array>, member: PackedZipMember): Promise<ExtractedMember>;
  /** Removes an extracted file once it was scanned. */
  remove(file: string): Promise<void>;
  /** Removes the temporary folder. */
  close(): Promise<void>;
}

/** A {@link SevenZipExtractor} with a temporary folder of its own. */
export async function openSevenZipExtractor(): Promise<SevenZipExtractor> {
  const workDir = await realpath(await mkdtemp(join(tmpdir(), "lsass-dump-scan-7z-")));
  try {
    const inDir = join(workDir, "in");
    const outDir = join(workDir, "out");
    await mkdir(inDir);
    await mkdir(outDir);
    const sevenZip = await startSevenZip(inDir, outDir);
    // Names are never reused: 7-Zip's file system caches what it saw, and we remove files behind its back.
    let count = 0;
    return {
      async extract(packed, member) {
        count += 1;
        const zipPath = join(inDir, `${count}.zip`);
        try {
          await writeOneMemberZip(zipPath, packed, member);
          const run = sevenZip(["x", "-y", "-bd", NO_PASSWORD, `-o${OUT}/${count}`, "--", `${IN}/${count}.zip`]);
          const file = join(outDir, String(count), "m");
          if (/unsupported method/i.test([...run.err, ...run.out].join("\n"))) {
            await rm(dirname(file), { recursive: true, force: true });
            return { reason: "7-Zip cannot unpack it either", unsupported: true };
          }
          const error = memberErrors(run.err, "zip").get("m");
          const extracted = await lstat(file).catch(() => undefined);
          if (extracted?.isFile() === true) return { file, error };
          const reason = error ?? sevenZipReason(run.err).replace(/\b7z\b/g, "zip");
          return { reason, unsupported: false };
        } finally {
          await rm(zipPath, { force: true });
        }
      },
      async remove(file) {
        await rm(dirname(file), { recursive: true, force: true });
      },
      async close() {
        await rm(workDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Writes a zip whose only member, `m`, is `packed` as `member` describes it, with zip64 fields
 * throughout (APPNOTE 4.3.7, 4.3.12, 4.3.14-16, 4.5.3), so that any size fits.
 */
async function writeOneMemberZip(path: string, packed: AsyncIterable<Uint8Array>, member: PackedZipMember) {
  const flags = member.flags & 0x0006;
  const local = Buffer.alloc(30 + 1 + 20);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(45, 4); // version needed: zip64
  local.writeUInt16LE(flags, 6);
  local.writeUInt16LE(member.method, 8);
  local.writeUInt16LE(0x21, 12); // 1980-01-01
  local.writeUInt32LE(member.crc32 >>> 0, 14);
  local.writeUInt32LE(0xffffffff, 18);
  local.writeUInt32LE(0xffffffff, 22);
  local.writeUInt16LE(1, 26);
  local.writeUInt16LE(20, 28);
  local.write("m", 30, "latin1");
  local.writeUInt16LE(0x0001, 31);
  local.writeUInt16LE(16, 33);
  local.writeBigUInt64LE(BigInt(member.uncompressedSize), 35);
  local.writeBigUInt64LE(BigInt(member.compressedSize), 43);
  const handle = await open(path, "wx", 0o600);
  try {
    await handle.write(local);
    let written = 0;
    for await (const chunk of packed) {
      await handle.write(chunk);
      written += chunk.length;
    }
    if (written !== member.compressedSize) {
      throw new Error(`corrupt zip member (${written} packed bytes, ${member.compressedSize} expected)`);
    }
    const centralAt = local.length + written;
    const central = Buffer.alloc(46 + 1 + 28);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(45, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(member.method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(member.crc32 >>> 0, 16);
    central.writeUInt32LE(0xffffffff, 20);
    central.writeUInt32LE(0xffffffff, 24);
    central.writeUInt16LE(1, 28);
    central.writeUInt16LE(28, 30);
    central.writeUInt32LE(0xffffffff, 42);
    central.write("m", 46, "latin1");
    central.writeUInt16LE(0x0001, 47);
    central.writeUInt16LE(24, 49);
    central.writeBigUInt64LE(BigInt(member.uncompressedSize), 51);
    central.writeBigUInt64LE(BigInt(member.compressedSize), 59);
    central.writeBigUInt64LE(0n, 67);
    const end64At = centralAt + central.length;
    const end = Buffer.alloc(56 + 20 + 22);
    end.writeUInt32LE(0x06064b50, 0);
    end.writeBigUInt64LE(44n, 4);
    end.writeUInt16LE(45, 12);
    end.writeUInt16LE(45, 14);
    end.writeBigUInt64LE(1n, 24);
    end.writeBigUInt64LE(1n, 32);
    end.writeBigUInt64LE(BigInt(central.length), 40);
    end.writeBigUInt64LE(BigInt(centralAt), 48);
    end.writeUInt32LE(0x07064b50, 56);
    end.writeBigUInt64LE(BigInt(end64At), 64);
    end.writeUInt32LE(1, 72);
    end.writeUInt32LE(0x06054b50, 76);
    end.writeUInt16LE(1, 84);
    end.writeUInt16LE(1, 86);
    end.writeUInt32LE(central.length, 88);
    end.writeUInt32LE(0xffffffff, 92);
    await handle.write(Buffer.concat([central, end]));
  } finally {
    await handle.close();
  }
}

/** The bytes of a file 7-Zip extracted; then, when 7-Zip reported the member damaged, its fault. */
export function extractedBytes(
  file: string,
  input: string,
  error: string | undefined,
  origin: FaultOrigin,
): AsyncGenerator<Uint8Array> {
  return memberBytes(file, input, error, origin);
}

/** A name that 7-Zip opens as the first of several parts, with the rest beside it: `x.7z.001`, `x.zip.001`, `x.z01`. */
export function isFirstSplitPart(path: string): boolean {
  return /\.(?:0*1|z0*1)$/i.test(path);
}

/** The extracted file's bytes; then, when 7-Zip reported the member damaged, its fault. */
async function* memberBytes(
  file: string,
  input: string,
  error: string | undefined,
  origin: FaultOrigin,
): AsyncGenerator<Uint8Array> {
  const fault = (reason: string, cause?: unknown) =>
    new ByteFault(origin, "LDS_E_CORRUPT_ARCHIVE", input, reason, cause);
  yield* mapErrors(createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Uint8Array>, (err) =>
    fault(String(err), err),
  );
  if (error !== undefined) throw fault(error);
}

type SevenZipCommand = (args: string[]) => SevenZipRun;

/** A fresh 7-Zip instance with the archive's folder and the extraction folder mounted. */
async function startSevenZip(archiveDir: string, workDir: string): Promise<SevenZipCommand> {
  // A CommonJS module whose `default` is itself (module.exports.default = SevenZip).
  const factory = (await import("7z-wasm")).default.default;
  let out: string[] = [];
  let err: string[] = [];
  const module = await factory({
    print: (line: string) => out.push(line),
    printErr: (line: string) => err.push(line),
  });
  module.FS.mkdir(IN);
  module.FS.mount(module.NODEFS, { root: archiveDir }, IN);
  module.FS.mkdir(OUT);
  module.FS.mount(module.NODEFS, { root: workDir }, OUT);
  return (args) => {
    out = [];
    err = [];
    // Emscripten's exit() sets process.exitCode to the program's status; ours must not change.
    const exitCode = process.exitCode;
    let status: number;
    try {
      status = Number(module.callMain(args) ?? 0);
    } catch {
      // 7z-wasm is built without C++ exception handling: a C++ throw (a wrong password for
      // encrypted headers, some damage) escapes callMain as a bare number.
      status = -1;
      err.push(STOPPED);
    } finally {
      process.exitCode = exitCode;
    }
    return { status, out, err };
  };
}

/** The entries of `7z l -slt` (after the archive's own block, which ends at a line of dashes). */
function parseListing(lines: string[]): ListedEntry[] {
  const entries: ListedEntry[] = [];
  const start = lines.findIndex((line) => line.startsWith("----------"));
  let current: Map<string, string> | undefined;
  const flush = () => {
    const path = current?.get("Path");
    if (current !== undefined && path !== undefined) {
      const size = Number(current.get("Size"));
      entries.push({
        path,
        size: Number.isFinite(size) ? size : undefined,
        directory: current.get("Folder") === "+" || (current.get("Attributes") ?? "").startsWith("D"),
        link: / l[rwxsStT-]{9}$/.test(current.get("Attributes") ?? ""),
        encrypted: current.get("Encrypted") === "+",
      });
    }
    current = undefined;
  };
  for (const line of lines.slice(start + 1)) {
    const at = line.indexOf(" = ");
    if (at < 0) {
      if (line.trim() === "") flush();
      continue;
    }
    const key = line.slice(0, at);
    if (key === "Path") flush();
    current ??= new Map();
    current.set(key, line.slice(at + 3));
  }
  flush();
  return entries;
}

/** 7-Zip's per-member errors ("ERROR: Data Error : logs/a.json"), by member path. */
function memberErrors(lines: string[], kind = "7z"): Map<string, string> {
  const errors = new Map<string, string>();
  for (const line of lines) {
    const match = /^ERROR: (.+?) : (.+)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    errors.set(match[2], memberReason(match[1], kind));
  }
  return errors;
}

function memberReason(message: string, kind: string): string {
  if (/wrong password/i.test(message)) return `encrypted ${kind} member, not read`;
  if (/unexpected end/i.test(message)) return `unexpected end of file (truncated ${kind})`;
  if (/crc/i.test(message)) return `corrupt ${kind} member (CRC mismatch)`;
  return `corrupt ${kind} member (${message.toLowerCase()})`;
}

/** One line on why 7-Zip could not open or extract the archive, from what it printed. */
export function sevenZipReason(err: string[]): string {
  const text = err.join("\n");
  if (/encrypted archive|wrong password/i.test(text)) return "encrypted 7z headers, not read";
  if (text.includes(STOPPED)) return `cannot open 7z (${STOPPED})`;
  if (/unexpected end of archive/i.test(text)) return "unexpected end of file (truncated 7z)";
  if (/headers error|data error|crc/i.test(text)) return "corrupt 7z (headers error)";
  if (/cannot open the file as/i.test(text)) return "corrupt 7z (cannot open it as an archive)";
  const first = err.find((line) => line.trim() !== "" && !/^ERROR: \//.test(line));
  return `corrupt 7z (${first?.trim() ?? "7-Zip failed"})`;
}
