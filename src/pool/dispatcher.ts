/**
 * Runs scan tasks on the coordinating thread and on a piscina pool at once.
 *
 * The coordinator is a worker too: it never idles while the pool's threads start (a thread
 * needs ~0.1-0.3 s to load its modules and instantiate the matcher here, as long as scanning
 * 0.2-1 GB), so a thread is started only when the queued work, in estimated seconds, leaves it
 * a share worth that start ({@link poolThreadsWorthStarting}), and only as many as the machine
 * has idle cores for ({@link threadsWithRoom}, sampled since the scan began); small work never
 * starts a pool (nor loads piscina). A new thread gets a warm-up task (its engine is built)
 * and, when the queue is long, one task queued behind it; more only once it has answered the
 * warm-up, then at most two tasks each at a time (one near the end of the queue), so the
 * coordinator takes what is left instead of waiting behind a slow thread.
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Piscina } from "piscina";
import type { Engine } from "../engine/engine.js";
import { ScanError } from "../errors.js";
import { IdleCores, type IdleSample } from "./idle-cores.js";
import { runTask } from "./run-task.js";
import type { ScanTask, TaskResult, WorkerSetup } from "./task.js";

/**
 * The worker entry. Preferred: the bundled one (dist/bin/worker.js, scripts/bundle-cli.mjs),
 * one file to load instead of ~40 modules, which shortens a thread's start by a third here; it
 * sits at ../bin/ from both dist/pool/ and the bundle's own chunks. Else tsc's worker.js beside
 * this module; run from the TypeScript sources (the tests do), dist/'s.
 */
export function workerEntry(): URL {
  const here = new URL(import.meta.url);
  const candidates = here.pathname.endsWith(".ts")
    ? [new URL("../../dist/bin/worker.js", here), new URL("../../dist/pool/worker.js", here)]
    : [new URL("../bin/worker.js", here), new URL("./worker.js", here)];
  const entry = candidates.find((url) => existsSync(url));
  if (entry === undefined) {
    const where = candidates.map((url) => fileURLToPath(url)).join(" or ");
    throw new ScanError("LDS_E_UNSUPPORTED", `worker entry ${where} is missing: run npm run build`);
  }
  return entry;
}

/**
 * A piscina pool of `threads` threads whose engines are built from `setup`. Piscina is loaded
 * on first use: small scans never load it.
 */
async function openPool(setup: WorkerSetup, threads: number): Promise<Piscina> {
  const { Piscina } = await import("piscina");
  return new Piscina({
    filename: workerEntry().href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    // Two tasks at a thread at once (it runs them one after the other; each holds its own
    // matcher instance): with one, a thread that finished its task waited for the coordinator
    // to end its own (5-20 ms) before piscina handed it the next, idle ~20% of a 2 GiB scan.
    concurrentTasksPerWorker: 2,
    workerData: setup,
  });
}

/**
 * Seconds a pool thread takes from `new Piscina` to its answered warm-up (modules loaded,
 * matcher instantiated), on the 2-core VM at load 7: 50-70 ms with the bundled worker
 * (dist/bin/worker.js), 70-90 ms unbundled, plus ~15 ms to load piscina itself; rounded up
 * (bench/RESULTS.md, run of 2026-12-01, issue 12).
 */
export const THREAD_START_SECONDS = 0.1;
/**
 * A thread must get at least this many times its start time in work to be started. On a core
 * of its own (threads start only on idle cores, see {@link IDLE_CORES_PER_THREAD}) its start
 * costs the scan no wall time, since the coordinator scans meanwhile; but its first tasks run
 * cold (~0.1-0.2 s more CPU than the coordinator would have spent on them) and two threads
 * share the memory bandwidth (a copy runs ~1.6x, not 2x, on two cores here). Measured through
 * the CLI on the 2-core VM: 1 GiB of JSON (~0.2 s on one thread) was slower with a second
 * thread (0.35-0.38 s against 0.27-0.38 s), 2 GiB of XML and the 600 MB EVTX folder (~0.35 s)
 * 5-7% faster. 1.5 starts one thread from ~0.3 s of work.
 */
const THREAD_PAYBACK = 1.5;

/**
 * How many pool threads (at most `threads`) pay for their start when `workSeconds` of work,
 * as one thread would take, is waiting: each of them and the coordinator gets an equal share,
 * and a thread is worth starting only when its share is at least THREAD_PAYBACK times
 * `startSeconds`. 0: the coordinator does it all, no pool.
 */
export function poolThreadsWorthStarting(
  workSeconds: number,
  threads: number,
  startSeconds = THREAD_START_SECONDS,
): number {
  // The epsilon keeps 0.3 / (1.5 * 0.1) = 1.999... from rounding a whole share down.
  const worth = Math.floor(workSeconds / (THREAD_PAYBACK * startSeconds) + 1e-9) - 1;
  return Math.max(0, Math.min(threads, worth));
}

/**
 * Idle cores (machine-wide, see idle-cores.ts) needed per pool thread started: a thread that
 * finds no core of its own only shares one with the coordinator and adds its start's work. On
 * the shared 2-core VM with one core busy elsewhere, starting the second thread anyway made a
 * 600 MB EVTX folder 0.62-0.77 s against 0.44-0.58 s on one thread. Half a core rounds up: a
 * 2-core machine running only the scan shows ~1 idle core while the coordinator works.
 */
export const IDLE_CORES_PER_THREAD = 1;

/**
 * Wall ms of the idle-core sample before it counts. The kernel's counters tick every 10 ms, so
 * one tick is the least that says anything: an idle core shows 0.5-2 idle cores over 10-20 ms,
 * a busy one 0 (or one stray tick). A command-line run begins its sample at start-up
 * (cli/main.ts), ~15-25 ms before its first task, so its pool can start with that task.
 */
const IDLE_SAMPLE_MS = 10;

/** How many pool threads `idleCores` idle cores make room for. */
export function threadsWithRoom(idleCores: number): number {
  return Math.max(0, Math.floor(idleCores / IDLE_CORES_PER_THREAD + 0.5));
}

/**
 * When the pool starts: `"when-it-pays"` (default) by {@link poolThreadsWorthStarting};
 * `"always"` starts every thread as soon as a second task waits (the behaviour before the
 * start decision: the property tests use it to exercise the pool on small inputs); `"never"`
 * runs everything on the coordinator. bench:check's self-test uses the last two to show its
 * thread ratios fail without the decision.
 */
export type PoolStart = "when-it-pays" | "always" | "never";

/**
 * The wasm engine scans synchronously, so without turns of the event loop the pool's messages
 * (a thread ready, a result, piscina handing a thread its queued task) wait until the
 * coordinator's task ends: a 32 MiB batch of EVTX files is ~20 ms, and a new thread's start
 * crossed three such waits. While a pool runs, the coordinator lets them in this often (ms)
 * between the files of a batch, and after every task.
 */
const YIELD_MS = 2;

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** A function that gives the event loop a turn when `ms` have passed since its last one. */
function turnEvery(ms: number): () => Promise<void> {
  let last = performance.now();
  return async () => {
    const now = performance.now();
    if (now - last < ms) return;
    await nextTurn();
    last = performance.now();
  };
}

/** Options of {@link Dispatcher}. */
export interface DispatcherOptions {
  /** Pool threads besides the coordinator, at most (0: everything on the coordinator). */
  threads: number;
  /** When to start the pool (default `"when-it-pays"`). */
  poolStart?: PoolStart | undefined;
  /** What each pool thread builds its engine from. */
  setup: WorkerSetup;
  /** The coordinator's own engine. */
  engine: Engine;
  /** Called with each task's result, on the coordinator. */
  onResult: (task: ScanTask, result: TaskResult) => void;
  /** Called when a task could not run at all (a thread died). */
  onFailure: (task: ScanTask, err: unknown) => void;
  /**
   * The idle-core sample to decide on (default: one begun now); the scan begins it before
   * compiling and planning, so the window is long enough by the first task.
   */
  idleSince?: IdleSample | undefined;
}

interface Queued {
  task: ScanTask;
  /** Estimated seconds on one thread (see {@link Dispatcher.submit}). */
  seconds: number;
}

/** Task queue served by the coordinator and a lazily started pool. */
export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #queue: Queued[] = [];
  #pool: Piscina | undefined;
  /** Set once the pool is being started (piscina is loaded on first use). */
  #starting: Promise<void> | undefined;
  #poolThreads = 0;
  /** Pool threads that have answered their warm-up task. */
  #ready = 0;
  /** Estimated seconds of the queued tasks. */
  #queuedSeconds = 0;
  /** True once {@link drain} was called: no task is planned beyond the queue. */
  #planned = false;
  /** The machine's idle cores since the scan began (or since this dispatcher was made). */
  readonly #idle: IdleSample;

  readonly #running = new Set<Promise<void>>();
  #stopped = false;
  /** Settles when {@link stop} is called, so a task running here can be abandoned. */
  readonly #stopping: Promise<void>;
  #signalStop: () => void = () => {};

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#idle = options.idleSince ?? new IdleCores();
    this.#stopping = new Promise((resolve) => {
      this.#signalStop = resolve;
    });
  }

  /**
   * Queues a task; it runs on whichever thread is free first. `seconds` is its estimated time
   * on one thread (only for deciding whether pool threads pay; 0 when unknown).
   */
  submit(task: ScanTask, seconds = 0): void {
    if (this.#stopped) return;
    this.#queue.push({ task, seconds });
    this.#queuedSeconds += seconds;
    this.#feedPool();
  }

  /** Pool threads started (0 when no pool was started). */
  get poolThreads(): number {
    return this.#poolThreads;
  }

  /**
   * Runs queued tasks on the coordinator until the queue is empty, then waits for the pool's
   * tasks. Call it once planning is over (it may be called again after more submits).
   */
  async drain(): Promise<void> {
    this.#planned = true;
    this.#feedPool();
    for (;;) {
      // Loading piscina takes a dozen steps through the event loop; interleaved with the
      // coordinator's tasks they took ~180 ms of wall time (the pool started when most of a
      // 600 MB folder was done). Its CPU is this thread's either way: finish it in one go.
      if (this.#starting !== undefined && this.#pool === undefined) await this.#starting;
      const next = this.#take();
      if (next === undefined || this.#stopped) break;
      // A task abandoned by stop() runs on in the background; the caller exits soon after.
      await Promise.race([this.#runHere(next.task), this.#stopping]);
      await nextTurn();
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
    await this.#starting;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }

  async #runHere(task: ScanTask): Promise<void> {
    try {
      // While a pool runs, a batch of files lets the pool's messages in between its files.
      const between = this.#starting === undefined ? undefined : turnEvery(YIELD_MS);
      const result = await runTask(task, this.#options.engine, this.#options.setup.collectHits === true, between);
      if (!this.#stopped) this.#options.onResult(task, result);
    } catch (err) {
      if (!this.#stopped) this.#options.onFailure(task, err);
    }
  }

  #take(): Queued | undefined {
    const next = this.#queue.shift();
    if (next !== undefined) this.#queuedSeconds -= next.seconds;
    return next;
  }

  /** Pool threads to start now: 0 while the queued work does not pay for one (see the module comment). */
  #threadsToStart(): number {
    const { threads, poolStart } = this.#options;
    if (poolStart === "always") return this.#queue.length >= 2 ? threads : 0;
    if (poolStart === "never") return 0;
    // Not scaled by how fast the coordinator goes: a loaded machine slows a thread's start as
    // much as its scanning, so the estimates' ratio is what decides...
    let worth = poolThreadsWorthStarting(this.#queuedSeconds, threads);
    // ... While planning, more work may come, and a pool's size is fixed once started: start
    // then only when the work queued so far already pays for every thread (a 400-file folder
    // takes ~20 ms to plan, a third of a thread's start).
    if (!this.#planned && worth < threads) worth = 0;
    if (worth === 0) return 0;
    // ... but only as many as there are idle cores: on a busy machine a thread adds its start
    // and takes nothing off. Until the sample is long enough, the next call decides.
    const idle = this.#idle.cores(IDLE_SAMPLE_MS);
    return idle === undefined ? 0 : Math.min(worth, threadsWithRoom(idle));
  }

  #startPool(threads: number): void {
    this.#poolThreads = threads;
    this.#starting = openPool(this.#options.setup, threads)
      .then((pool) => {
        if (this.#stopped) {
          void pool.destroy();
          return;
        }
        this.#launch(pool, threads);
      })
      .catch((err: unknown) => {
        // No pool after all (the worker entry is missing): the coordinator does everything,
        // and the reason is reported.
        this.#poolThreads = 0;
        this.#options.onFailure({ kind: "warmup" }, err);
      });
  }

  #launch(pool: Piscina, threads: number): void {
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
    // One task each at once, queued behind the warm-up: a thread starts on it as soon as its
    // engine is built, instead of after its warm-up answer waited for the coordinator's next
    // yield (~20-30 ms on a folder of EVTX files). Only when the queue leaves the coordinator
    // plenty meanwhile, so that it never ends up waiting for a slow-starting thread.
    if (this.#queue.length > 4 * threads) for (let i = 0; i < threads; i++) this.#send(pool);
  }

  /** Runs the next queued task on the pool. */
  #send(pool: Piscina): void {
    const { task } = this.#take() as Queued;
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

  /**
   * Keeps each pool thread busy with two tasks (the second hides the round trip, which waits
   * while the coordinator scans), one near the end of the queue (so the coordinator does not
   * wait behind a slow, newly started thread's second task); starts the pool when work pays.
   */
  #feedPool(): void {
    const { threads } = this.#options;
    if (threads === 0 || this.#stopped) return;
    if (this.#starting === undefined) {
      const start = this.#threadsToStart();
      if (start > 0) this.#startPool(start);
      return;
    }
    const pool = this.#pool;
    if (pool === undefined) return;
    const perThread = this.#queue.length > 2 * (this.#ready + 1) ? 2 : 1;
    while (this.#running.size < this.#ready * perThread && this.#queue.length > 0) this.#send(pool);
  }
}
