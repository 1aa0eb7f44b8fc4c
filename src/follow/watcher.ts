/**
 * What to look at and when: lists the followed paths (folders walked, files and their rotated
 * siblings), and calls `onChange` when fs.watch reports anything in a followed folder or a poll
 * interval passes (the fallback for file systems where fs.watch says nothing, e.g. NFS).
 */

import { type FSWatcher, watch } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/** One file found: its stat and whether it may only be taken as a rotated copy. */
export interface Listed {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** A sibling of a followed file (`app.log.1`): followed only when it is a rotated copy. */
  siblingOnly: boolean;
}

/** Options of {@link Watcher}. */
export interface WatcherOptions {
  /** Followed files and folders. */
  inputs: readonly string[];
  /** Paths never followed (the state file, the spool). */
  exclude: (path: string) => boolean;
  /** Poll interval in ms (always on: a safety net beside fs.watch). */
  pollMs: number;
  onChange: () => void;
  /** A note for stderr (fs.watch unavailable, an input missing). */
  onNote: (line: string) => void;
}

/**
 * Lists the followed files and triggers look-ups.
 *
 * @example
 * ```ts
 * const watcher = new Watcher({ inputs: ["/var/log/sysmon"], exclude: () => false, pollMs: 1000, onChange: sync, onNote: console.error });
 * const files = await watcher.list();
 * watcher.close();
 * ```
 */
export class Watcher {
  readonly #options: WatcherOptions;
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #timer: NodeJS.Timeout;
  #watchFailed = false;
  #closed = false;
  /** Inputs reported missing or unreadable (once each). */
  readonly unreadable = new Set<string>();

  constructor(options: WatcherOptions) {
    this.#options = options;
    this.#timer = setInterval(options.onChange, options.pollMs);
  }

  #watchDir(dir: string): void {
    // A look still running when close() came must not start a watcher that keeps the process alive.
    if (this.#watchers.has(dir) || this.#watchFailed || this.#closed) return;
    try {
      const w = watch(dir, { persistent: true }, () => this.#options.onChange());
      w.on("error", () => {
        w.close();
        this.#watchers.delete(dir);
      });
      this.#watchers.set(dir, w);
    } catch (err) {
      this.#watchFailed = true;
      this.#options.onNote(
        `fs.watch is not available here (${(err as Error).message}); polling every ${this.#options.pollMs} ms`,
      );
    }
  }

  /** Every file now under the inputs (folders recursively), keyed by absolute path. */
  async list(): Promise<Map<string, Listed>> {
    const out = new Map<string, Listed>();
    const add = async (path: string, siblingOnly: boolean) => {
      if (this.#options.exclude(path)) return;
      try {
        const st = await stat(path);
        if (st.isFile()) out.set(path, { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, siblingOnly });
      } catch {
        // Gone between listing and stat: the next look sees it gone.
      }
    };
    const walk = async (dir: string): Promise<void> => {
      this.#watchDir(dir);
      const entries = await readdir(dir, { withFileTypes: true });
      for (const e of entries) {
        const path = join(dir, e.name);
        if (e.isDirectory()) {
          if (!this.#options.exclude(path)) await walk(path).catch(() => undefined);
        } else if (e.isFile()) await add(path, false);
      }
    };
    for (const input of this.#options.inputs) {
      const path = resolve(input);
      let isDir: boolean;
      try {
        isDir = (await stat(path)).isDirectory();
      } catch {
        isDir = false;
      }
      if (isDir) {
        await walk(path).catch(() => this.#missing(path));
        continue;
      }
      // A file: its name, and siblings named like its rotated copies; the folder is watched.
      const dir = dirname(path);
      const name = basename(path);
      this.#watchDir(dir);
      try {
        for (const e of await readdir(dir)) {
          if (e === name) await add(path, false);
          else if (e.startsWith(`${name}.`) || e.startsWith(`${name}-`)) await add(join(dir, e), true);
        }
      } catch {
        this.#missing(path);
      }
      if (!out.has(path)) this.#missing(path);
      else this.unreadable.delete(path);
    }
    return out;
  }

  #missing(path: string): void {
    if (this.unreadable.has(path)) return;
    this.unreadable.add(path);
    this.#options.onNote(`${path}: not found (yet); it is followed once it appears`);
  }

  /** Stops watching and polling. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }
}
