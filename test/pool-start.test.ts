/**
 * Issue 12: a pool thread is started only when the work waiting leaves it a share worth its
 * start (~0.05-0.3 s here), so the default is never slower than `-j 1` on small work; on big
 * work every thread starts. The ratios themselves are bench:check's (threads.* in
 * bench/thresholds.json); this is the decision's arithmetic and its effect on a real scan.
 */

import { describe, expect, it } from "vitest";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { Dispatcher, poolThreadsWorthStarting } from "../src/pool/dispatcher.js";

describe("poolThreadsWorthStarting", () => {
  it("starts nothing for work a thread's start would eat", () => {
    expect(poolThreadsWorthStarting(0, 15, 0.1)).toBe(0);
    expect(poolThreadsWorthStarting(0.3, 1, 0.1)).toBe(0);
  });
  it("starts a thread once its share is twice its start", () => {
    // One thread and the coordinator: 0.2 s each, twice a 0.1 s start.
    expect(poolThreadsWorthStarting(0.4, 1, 0.1)).toBe(1);
    expect(poolThreadsWorthStarting(0.39, 1, 0.1)).toBe(0);
  });
  it("grows with the work, up to the threads there are", () => {
    expect(poolThreadsWorthStarting(1, 15, 0.1)).toBe(4);
    expect(poolThreadsWorthStarting(100, 15, 0.1)).toBe(15);
    expect(poolThreadsWorthStarting(100, 0, 0.1)).toBe(0);
  });
});

describe("Dispatcher", () => {
  function dispatcher(poolStart: "always" | "when-it-pays") {
    const results: unknown[] = [];
    const d = new Dispatcher({
      threads: 3,
      poolStart,
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

  it("starts every thread while planning when the queued work pays for all of them", async () => {
    const { d } = dispatcher("when-it-pays");
    for (let i = 0; i < 4; i++) d.submit({ kind: "batch", files: [] }, 10);
    expect(d.poolThreads).toBe(3);
    await d.stop();
  });

  it("after planning, starts threads only once the coordinator's tasks show it has a core's room", async () => {
    // Enough estimated work for every thread, but not so much that planning starts them at
    // once; the empty batches take no time, so no share of a core is ever measured.
    const { d } = dispatcher("when-it-pays");
    for (let i = 0; i < 3; i++) d.submit({ kind: "batch", files: [] }, 0.3);
    expect(d.poolThreads).toBe(0);
    await d.drain();
    expect(d.poolThreads).toBe(0);
    await d.close();
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
