/**
 * Issue 12: a pool thread is started only when the work waiting leaves it a share worth its
 * start (~0.05-0.3 s here) and finds an idle core, so the default is never slower than `-j 1`
 * on small work or a busy machine; on big work every thread with a core starts. The ratios themselves are bench:check's (threads.* in
 * bench/thresholds.json); this is the decision's arithmetic and its effect on a real scan.
 */

import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { Dispatcher, poolThreadsWorthStarting, threadsWithRoom } from "../src/pool/dispatcher.js";
import { beginIdleSample, IdleCores, type IdleSample, idleSampleForNewScan } from "../src/pool/idle-cores.js";

describe("poolThreadsWorthStarting", () => {
  it("starts nothing for work a thread's start would eat", () => {
    expect(poolThreadsWorthStarting(0, 15, 0.1)).toBe(0);
    expect(poolThreadsWorthStarting(0.2, 1, 0.1)).toBe(0);
  });
  it("starts a thread once its share is one and a half times its start", () => {
    // One thread and the coordinator: 0.15 s each, 1.5 times a 0.1 s start.
    expect(poolThreadsWorthStarting(0.3, 1, 0.1)).toBe(1);
    expect(poolThreadsWorthStarting(0.29, 1, 0.1)).toBe(0);
  });
  it("grows with the work, up to the threads there are", () => {
    expect(poolThreadsWorthStarting(1, 15, 0.1)).toBe(5);
    expect(poolThreadsWorthStarting(100, 15, 0.1)).toBe(15);
    expect(poolThreadsWorthStarting(100, 0, 0.1)).toBe(0);
  });
});

describe("threadsWithRoom", () => {
  it("gives a thread to each idle core, half a core rounding up", () => {
    expect(threadsWithRoom(0)).toBe(0);
    expect(threadsWithRoom(0.4)).toBe(0);
    expect(threadsWithRoom(0.5)).toBe(1);
    expect(threadsWithRoom(1.2)).toBe(1);
    expect(threadsWithRoom(14.6)).toBe(15);
  });
});

describe("IdleCores", () => {
  it("answers only once its window is long enough, then a number of cores the machine has", async () => {
    const idle = new IdleCores();
    expect(idle.cores(60_000)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const cores = idle.cores(50) as number;
    expect(cores).toBeGreaterThanOrEqual(0);
    // A little slack for the counters' 10 ms ticks.
    expect(cores).toBeLessThanOrEqual(availableParallelism() * 1.5);
  });
});

describe("idleSampleForNewScan", () => {
  it("gives a scan the sample begun at start-up, so it is long enough at the first task", () => {
    beginIdleSample();
    const sample = idleSampleForNewScan();
    expect(idleSampleForNewScan()).toBe(sample);
  });
});

describe("Dispatcher", () => {
  /** A machine with `cores` idle cores; undefined: the sample is not long enough yet. */
  const machine = (cores: number | undefined): IdleSample => ({ cores: () => cores });

  function dispatcher(poolStart: "always" | "when-it-pays", idle = machine(8)) {
    const results: unknown[] = [];
    const d = new Dispatcher({
      threads: 3,
      poolStart,
      idleSince: idle,
      setup: { engine: "reference", carve: false },
      engine: referenceEngine,
      onResult: (_task, r) => results.push(r),
      onFailure: (_task, err) => results.push(err),
    });
    return { d, results };
  }

  // Empty batches: the decision only sees the estimated seconds each task is submitted with.
  it("runs small work on the coordinator without starting a pool", async () => {
    const { d } = dispatcher("when-it-pays");
    for (let i = 0; i < 4; i++) d.submit({ kind: "batch", files: [] }, 0.01);
    await d.drain();
    expect(d.poolThreads).toBe(0);
    await d.close();
  });

  it("starts every thread while planning as soon as the queued work pays for all of them", async () => {
    const { d } = dispatcher("when-it-pays");
    for (let i = 0; i < 4; i++) d.submit({ kind: "batch", files: [] }, 10);
    expect(d.poolThreads).toBe(3);
    await d.stop();
  });

  it("starts only as many threads as there are idle cores", async () => {
    const { d } = dispatcher("when-it-pays", machine(1.1));
    for (let i = 0; i < 4; i++) d.submit({ kind: "batch", files: [] }, 10);
    expect(d.poolThreads).toBe(1);
    await d.stop();
  });

  it("starts none on a machine with no idle core, however much work waits", async () => {
    const { d } = dispatcher("when-it-pays", machine(0.3));
    for (let i = 0; i < 4; i++) d.submit({ kind: "batch", files: [] }, 10);
    await d.drain();
    expect(d.poolThreads).toBe(0);
    await d.close();
  });

  it("waits for the idle sample before starting anything", async () => {
    const { d } = dispatcher("when-it-pays", machine(undefined));
    for (let i = 0; i < 4; i++) d.submit({ kind: "batch", files: [] }, 10);
    expect(d.poolThreads).toBe(0);
    await d.drain();
    expect(d.poolThreads).toBe(0);
    await d.close();
  });

  it("after planning, starts the threads the queued work pays for", async () => {
    // Work for two of the three threads: not started while planning (more work might have paid
    // for all three, and a pool's size is fixed), then two.
    const { d } = dispatcher("when-it-pays");
    for (let i = 0; i < 3; i++) d.submit({ kind: "batch", files: [] }, 0.15);
    expect(d.poolThreads).toBe(0);
    const drained = d.drain();
    expect(d.poolThreads).toBe(2);
    await d.stop();
    await drained;
  });

  it('"always" starts the pool as soon as a second task waits (the old behaviour)', async () => {
    const { d } = dispatcher("always");
    d.submit({ kind: "batch", files: [] }, 0.001);
    expect(d.poolThreads).toBe(0);
    d.submit({ kind: "batch", files: [] }, 0.001);
    expect(d.poolThreads).toBe(3);
    await d.drain();
    await d.close();
  });
});
