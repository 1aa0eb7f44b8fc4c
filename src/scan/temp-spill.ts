/**
 * Spilling a byte stream to a private temporary file, for archive formats that need random
 * access (a zip's directory and a 7z's headers are at the end) when they come on stdin or out of
 * another archive: memory stays flat whatever the archive's size, at the cost of disk space for
 * its compressed bytes. The file is in a folder of its own (mode 0700) under the system's
 * temporary folder and is removed when the caller is done, also on errors.
 */

import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PeekableBytes } from "./peekable-bytes.js";

/** A spilled stream: where it is, how large, and how to remove it. */
export interface SpilledFile {
  readonly path: string;
  readonly size: number;
  /** Removes the file and its folder (idempotent, never throws). */
  remove(): Promise<void>;
}

/**
 * Writes `first` and then the rest of `bytes` to a new temporary file named `fileName`. Throws
 * what reading `bytes` throws (the file is removed then), or the write error (disk full).
 */
export async function spillToTempFile(
  first: readonly Uint8Array[],
  bytes: PeekableBytes,
  fileName: string,
): Promise<SpilledFile> {
  const dir = await mkdtemp(join(tmpdir(), "lsass-dump-scan-"));
  const remove = () => rm(dir, { recursive: true, force: true }).catch(() => {});
  const path = join(dir, fileName);
  let size = 0;
  try {
    const handle = await open(path, "wx", 0o600);
    try {
      for (const chunk of first) {
        await handle.write(chunk);
        size += chunk.length;
      }
      for (;;) {
        const chunk = await bytes.read();
        if (chunk === undefined) break;
        await handle.write(chunk);
        size += chunk.length;
      }
    } finally {
      await handle.close();
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return { path, size, remove };
}
