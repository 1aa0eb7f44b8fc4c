/**
 * Turns the paths a user named into the files to read: directories are walked recursively in a
 * fixed order (entries sorted by name, depth first), so runs are reproducible; symbolic links are
 * followed, but a directory is never walked twice (directories are known by device and inode),
 * so a link back to an ancestor is one reported loop, not an endless walk. Fifos, sockets and
 * devices met while walking are skipped; the user may still name one (a fifo, `<(zcat x)`).
 */

import type { BigIntStats, Dirent } from "node:fs";
import { lstat, readdir, stat } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { describeError, ScanError } from "../errors.js";

/** What walking a path gives. */
export type WalkEntry =
  | {
      kind: "file";
      /** The path as the user would recognize it: as named, or the named directory joined with the rest. */
      path: string;
      /** True for a path the user named, false for one met in a directory. */
      explicit: boolean;
      /** False for a fifo or character device the user named: read once, as a stream. */
      regular: boolean;
    }
  | { kind: "problem"; name: string; error: ScanError }
  | { kind: "skipped"; name: string; reason: string };

/** Walking options. */
export interface WalkOptions {
  /** Follow symbolic links met inside directories (links the user named are always followed). */
  followSymlinks: boolean;
  /**
   * Files not to yield when met inside a directory, as absolute paths (the run's own output
   * file): they are not inputs, so they are neither scanned nor counted as skipped.
   */
  exclude?: ReadonlySet<string> | undefined;
}

/** State shared by the walks of one run: directories already walked, by `dev:ino`, with the path first used. */
export class Walker {
  readonly #visited = new Map<string, string>();
  readonly #ancestors = new Set<string>();

  constructor(private readonly options: WalkOptions) {}

  /** Walks one path the user named. Never throws: what cannot be read is a `problem`. */
  async *walk(path: string): AsyncGenerator<WalkEntry> {
    let stats: BigIntStats;
    try {
      stats = await stat(path, { bigint: true });
    } catch (err) {
      const link = await lstat(path).then(
        (s) => s.isSymbolicLink(),
        () => false,
      );
      yield pathProblem(path, err, link);
      return;
    }
    if (stats.isDirectory()) yield* this.#walkDirectory(path, stats);
    else if (stats.isFile()) yield { kind: "file", path, explicit: true, regular: true };
    else if (stats.isSocket()) {
      const error = new ScanError("LDS_E_INPUT_UNREADABLE", `${path}: is a socket, not a file`, path);
      yield { kind: "problem", name: path, error };
    } else yield { kind: "file", path, explicit: true, regular: false };
  }

  async *#walkDirectory(dir: string, stats: BigIntStats): AsyncGenerator<WalkEntry> {
    const key = `${stats.dev}:${stats.ino}`;
    const first = this.#visited.get(key);
    if (first !== undefined) {
      if (this.#ancestors.has(key)) {
        const message = `${dir}: symbolic link loop (leads back to ${first})`;
        yield { kind: "problem", name: dir, error: new ScanError("LDS_E_INPUT_UNREADABLE", message, dir) };
      } else {
        yield { kind: "skipped", name: dir, reason: `same directory as ${first}, already scanned` };
      }
      return;
    }
    this.#visited.set(key, dir);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      yield pathProblem(dir, err);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.#ancestors.add(key);
    try {
      for (const entry of entries) yield* this.#walkEntry(joinPath(dir, entry.name), entry);
    } finally {
      this.#ancestors.delete(key);
    }
  }

  async *#walkEntry(path: string, entry: Dirent): AsyncGenerator<WalkEntry> {
    if (this.options.exclude?.has(resolve(path))) return;
    if (entry.isFile()) {
      yield { kind: "file", path, explicit: false, regular: true };
      return;
    }
    if (entry.isSymbolicLink() && !this.options.followSymlinks) {
      yield { kind: "skipped", name: path, reason: "symbolic link, not followed" };
      return;
    }
    if (!entry.isSymbolicLink() && !entry.isDirectory()) {
      yield { kind: "skipped", name: path, reason: `${specialFileKind(entry)}, not read` };
      return;
    }
    let stats: BigIntStats;
    try {
      stats = await stat(path, { bigint: true });
    } catch (err) {
      yield pathProblem(path, err, entry.isSymbolicLink());
      return;
    }
    if (stats.isDirectory()) yield* this.#walkDirectory(path, stats);
    else if (stats.isFile()) yield { kind: "file", path, explicit: false, regular: true };
    else yield { kind: "skipped", name: path, reason: `${specialFileKind(stats)}, not read` };
  }
}

/** `dir` and `name` joined the way the user wrote `dir` (no normalization of `./` or `..`). */
function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith(sep) ? dir + name : dir + sep + name;
}

function specialFileKind(entry: Pick<Dirent, "isFIFO" | "isSocket" | "isCharacterDevice" | "isBlockDevice">): string {
  if (entry.isFIFO()) return "named pipe (fifo)";
  if (entry.isSocket()) return "socket";
  if (entry.isCharacterDevice()) return "character device";
  if (entry.isBlockDevice()) return "block device";
  return "special file";
}

/** The problem for a path that could not be looked at. */
export function pathProblem(path: string, err: unknown, viaSymlink = false): WalkEntry {
  const errno = (err as NodeJS.ErrnoException).code;
  const missing = errno === "ENOENT" || errno === "ENOTDIR";
  let reason = describeError(err);
  if (missing) reason = viaSymlink ? "no such file or directory (dangling symbolic link)" : "no such file or directory";
  // Node reads names (argv, directories) as UTF-8 and turns bytes that are not into U+FFFD: such
  // a file exists but cannot be opened by the name Node has for it. Say so, not "no such file".
  if (missing && path.includes("\uFFFD"))
    reason = "its name is not valid UTF-8 (shown with \uFFFD) and cannot be opened by it: rename the file";
  if (errno === "ELOOP") reason = "symbolic link loop (too many levels of symbolic links)";
  const error = new ScanError(missing ? "LDS_E_INPUT_MISSING" : "LDS_E_INPUT_UNREADABLE", `${path}: ${reason}`, path, {
    cause: err,
  });
  return { kind: "problem", name: path, error };
}
