/**
 * Runs scan tasks on the coordinating thread and on a piscina pool at once.
 *
 * The coordinator is a worker too: it never idles while the pool's threads start (a thread
 * needs ~0.1-0.3 s to load its modules and instantiate the matcher here, as long as scanning
 * 1-2 GB), and a scan that fits in one task never starts a pool at all. Pool threads are
 * started on demand, when a second task is waiting, and get work only once they have answered
 * a warm-up task (their engine is built); then at most two tasks each at a time, so the
 * coordinator takes what is left instead of waiting behind a queue held by a slow thread.
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { Engine } from "../engine/engine.js";
import { ScanError } from "../errors.js";
import { runTask } from "./run-task.js";
import type { ScanTask, TaskResult, WorkerSetup } from "./task.js";

/**
 * The worker entry, compiled. Run from the TypeScript sources (the tests do), this module sits
 * in src/ while the worker must be plain JavaScript, so the build's dist/pool/worker.js serves.
 */
export function workerEntry(): URL {
  const here = new URL(import.meta.url);
  const entry = here.pathname.endsWith(".ts")
    ? new URL("../../dist/pool/worker.js", here)
    : new URL("./worker.js", here);
  if (!existsSync(entry)) {
    throw new ScanError("LDS_E_UNSUPPORTED", `worker entry ${fileURLToPath(entry)} is missing: run npm run build`);
  }
  return entry;
}

/** Options of {@link Dispatcher}. */
export interface DispatcherOptions {
  /** Pool threads besides the coordinator (0: everything on the coordinator). */
  threads: number;
  /** What each pool thread builds its engine from. */
  setup: WorkerSetup;
  /** The coordinator's own engine. */
  engine: Engine;
  /** Called with each task's result, on the coordinator. */
  onResult: (task: ScanTask, result: TaskResult) => void;
  /** Called when a task could not run at all (a thread died). */
  onFailure: (task: ScanTask, err: unknown) => void;
}

interface Queued {
  task: ScanTask;
}

/** Task queue served by the coordinator and a lazily started pool. */
export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #queue: Queued[] = [];
  #pool: Piscina | undefined;
  /** Pool threads that have answered their warm-up task. */
  #ready = 0;
  readonly #running = new Set<Promise<void>>();
  #stopped = false;
  /** Settles when {@link stop} is called, so a task running here can be abandoned. */
  readonly #stopping: Promise<void>;
  #signalStop: () => void = () => {};

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#stopping = new Promise((resolve) => {
      this.#signalStop = resolve;
    });
  }

  /** Queues a task; it runs on whichever thread is free first. */
  submit(task: ScanTask): void {
    if (this.#stopped) return;
    this.#queue.push({ task });
    this.#feedPool();
  }

  /**
   * Runs queued tasks on the coordinator until the queue is empty, then waits for the pool's
   * tasks. Call it once planning is over (it may be called again after more submits).
   */
  async drain(): Promise<void> {
    for (;;) {
      const next = this.#queue.shift();
      if (next === undefined || this.#stopped) break;
      // A task abandoned by stop() runs on in the background; the caller exits soon after.
      await Promise.race([this.#runHere(next.task), this.#stopping]);
      // The wasm engine scans synchronously, so without this the pool's messages (threads
      // ready, results) would wait until the coordinator ran out of work: let them in.
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.#feedPool();
    }
    while (this.#running.size > 0 && !this.#stopped) await Promise.race([...this.#running, this.#stopping]);
  }

  /** Drops queued tasks and stops the pool's threads (Ctrl-C); results still in flight are ignored. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#signalStop();
    this.#queue.length = 0;
    await this.close();
  }

  /** Stops the pool's threads. */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }

  async #runHere(task: ScanTask): Promise<void> {
    try {
      const result = await runTask(task, this.#options.engine, this.#options.setup.collectHits === true);
      if (!this.#stopped) this.#options.onResult(task, result);
    } catch (err) {
      if (!this.#stopped) this.#options.onFailure(task, err);
    }
  }

  #startPool(threads: number): void {
    const pool = new Piscina({
      filename: workerEntry().href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      workerData: this.#options.setup,
    });
    this.#pool = pool;
    // Not waited for: when the coordinator has done all the work first, close() ends them.
    for (let i = 0; i < threads; i++) {
      pool.run({ kind: "warmup" } satisfies ScanTask).then(
        () => {
          this.#ready++;
          this.#feedPool();
        },
        () => {},
      );
    }
  }

  /** Keeps each pool thread busy with at most two tasks, starting the pool when work waits. */
  #feedPool(): void {
    const { threads } = this.#options;
    if (threads === 0 || this.#stopped) return;
    if (this.#pool === undefined) {
      // One task is the coordinator's; a second one waiting is worth starting threads for.
      if (this.#queue.length < 2) return;
      this.#startPool(threads);
      return;
    }
    const pool = this.#pool;
    while (this.#running.size < this.#ready * 2 && this.#queue.length > 0) {
      const { task } = this.#queue.shift() as Queued;
      const done = pool
        .run(task)
        .then(
          (r: TaskResult) => {
            if (!this.#stopped) this.#options.onResult(task, r);
          },
          (err: unknown) => {
            if (!this.#stopped) this.#options.onFailure(task, err);
          },
        )
        .finally(() => {
          this.#running.delete(done);
          this.#feedPool();
        });
      this.#running.add(done);
    }
  }
}
