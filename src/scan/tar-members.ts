/**
 * The members of a tar stream, one after another, with tar-stream's extractor fed from a
 * {@link PeekableBytes}: nothing is written to disk, and a `.tar.gz` of any size is walked in
 * constant memory. A tar is one stream, so a member must be read (or skipped) to its end before
 * the next header can be seen; this reader skips whatever the consumer left.
 */

import { type Extract, extract as tarExtract } from "tar-stream";
import { describeError, ScanError } from "../errors.js";
import type { ArchiveMember } from "./archive-member.js";
import { FaultMapper, type FaultOrigin, mapErrors } from "./byte-fault.js";
import { type ByteSink, PeekableBytes } from "./peekable-bytes.js";

type TarEntry = Extract extends AsyncIterable<infer E> ? E : never;

/** tar entry types whose bytes are a file's content. */
const FILE_TYPES = new Set(["file", "contiguous-file"]);

/**
 * Yields the members of the tar in `input`, named as stored. Directories are left out; links and
 * device entries come as `skipped`. When a member is yielded, its bytes must not be read after the
 * next call to `next()`: the rest is skipped then. Throws a fault of `origin` when the tar is
 * corrupt or truncated (naming the member being read, if any), or the input's fault when the input
 * broke. Returning early stops the extractor.
 */
export async function* tarMembers(
  input: PeekableBytes,
  name: string,
  origin: FaultOrigin,
): AsyncGenerator<ArchiveMember> {
  // allowUnknownFormat: old v7 headers carry no "ustar" magic; each header's checksum is still checked.
  const extractor = tarExtract({ allowUnknownFormat: true } as Parameters<typeof tarExtract>[0]);
  // Errors reach us through the iterators; this one keeps the cause for an entry that only says
  // "destroyed", and keeps a late error from crashing the process.
  let extractorError: unknown;
  extractor.on("error", (err: unknown) => {
    extractorError ??= err;
  });
  let current: string | undefined;
  const faults = new FaultMapper(origin, (err) => ({
    code: "LDS_E_CORRUPT_ARCHIVE",
    input: current === undefined ? name : `${name}:${current}`,
    reason: tarReason(isStreamDestroyed(err) && extractorError !== undefined ? extractorError : err),
  }));
  // A streamx Writable: the same write/end/destroy/drain contract as Node's, typed apart.
  // The input's failure ends the extractor (its members so far are read) and is thrown here.
  let inputFailure: { error: unknown } | undefined;
  void input.pipeTo(extractor as unknown as ByteSink, (error) => {
    faults.inputFailed(error);
    inputFailure = { error };
  });
  const entries = extractor[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<TarEntry>;
      try {
        next = await entries.next();
      } catch (err) {
        throw faults.fault(err);
      }
      if (next.done) {
        if (inputFailure !== undefined) throw inputFailure.error;
        return;
      }
      const entry = next.value;
      const header = entry.header;
      current = header.name;
      // The entry's iterator is made now, before anything else runs: made later, it would miss an
      // error the entry emits meanwhile and report only "Stream was destroyed".
      const entryChunks = (entry as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      const bytes = new PeekableBytes(
        mapErrors({ [Symbol.asyncIterator]: () => entryChunks }, (err) => faults.fault(err)),
      );
      const type = header.type ?? null;
      const unread = unreadEntry(header);
      if (unread !== undefined) {
        const input = `${name}:${unread.name}`;
        const error = new ScanError("LDS_E_UNSUPPORTED", `${input}: ${unread.reason}`, input);
        yield { kind: "problem", name: unread.name, error };
      } else if (type === null) {
        yield { kind: "skipped", name: header.name, reason: "tar entry of an unknown type, without content" };
      } else if (FILE_TYPES.has(type)) {
        yield { kind: "data", name: header.name, size: header.size, bytes, origin };
      } else if (type !== "directory") {
        yield { kind: "skipped", name: header.name, reason: `${type.replace(/-/g, " ")} in tar, not read` };
      }
      await bytes.drain();
      current = undefined;
    }
  } finally {
    extractor.destroy();
  }
}

/**
 * An entry whose stored bytes are not the file's content, so reading them as a log would scan the
 * wrong bytes: a sparse file (GNU tar -S: typeflag `S` in the gnu format, `GNU.sparse.*` PAX keys
 * in the posix one; the stored bytes are the data between the holes, in the PAX formats after a
 * map of them), or any other type tar-stream does not know (`M` multi-volume continuation, `D`
 * dump directory) that carries bytes. Undefined for every other entry.
 */
function unreadEntry(header: TarEntry["header"]): { name: string; reason: string } | undefined {
  const pax = (header as { pax?: Record<string, string> | null }).pax ?? {};
  if (Object.keys(pax).some((key) => key.startsWith("GNU.sparse."))) {
    const name = pax["GNU.sparse.name"] ?? header.name;
    return { name, reason: "sparse file in tar (GNU tar -S, PAX format), not read" };
  }
  if ((header.type ?? null) === null && (header.size ?? 0) > 0) {
    const reason = "tar entry of a type we do not read (a GNU sparse file, a multi-volume part), not read";
    return { name: header.name, reason };
  }
  return undefined;
}

function isStreamDestroyed(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "STREAM_DESTROYED";
}

/** One line on why the tar could not be read. */
export function tarReason(err: unknown): string {
  const message = describeError(err);
  if (/unexpected end of data/i.test(message)) return "unexpected end of file (truncated tar)";
  if (/unknown format/i.test(message)) return "corrupt tar header (unknown format)";
  if (/invalid tar header/i.test(message)) return "corrupt tar header (bad checksum)";
  return `corrupt tar (${message})`;
}
