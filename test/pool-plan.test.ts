/**
 * planTasks: pure planning of walked inputs into tasks (shards, batches, archives). The pool
 * and any other runner (a cluster) execute what it returns; these tests pin its contract.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BATCH_MAX_FILES,
  type PlanInput,
  planTasks,
  TaskPlanner,
  taskBytes,
  ZIP_STRIPES_MAX,
} from "../src/pool/plan.js";

const MiB = 1024 * 1024;

describe("planTasks", () => {
  it("cuts a large file into shards that cover it once, in order", () => {
    const tasks = planTasks([{ name: "big.jsonl", path: "/l/big.jsonl", size: 70 * MiB, format: "flat" }], {
      shardSize: 32 * MiB,
    });
    expect(tasks).toEqual([
      {
        kind: "range",
        name: "big.jsonl",
        path: "/l/big.jsonl",
        format: "flat",
        start: 0,
        end: 32 * MiB,
        fileSize: 70 * MiB,
      },
      {
        kind: "range",
        name: "big.jsonl",
        path: "/l/big.jsonl",
        format: "flat",
        start: 32 * MiB,
        end: 64 * MiB,
        fileSize: 70 * MiB,
      },
      {
        kind: "range",
        name: "big.jsonl",
        path: "/l/big.jsonl",
        format: "flat",
        start: 64 * MiB,
        end: 70 * MiB,
        fileSize: 70 * MiB,
      },
    ]);
  });

  it("keeps a file whole when the engine cannot shard its format", () => {
    const tasks = planTasks([{ name: "a.xml", path: "/a.xml", size: 10 * MiB, format: "xml" }], {
      shardSize: MiB,
      canShard: (format) => format === "evtx",
    });
    expect(tasks).toEqual([
      { kind: "batch", files: [{ name: "a.xml", path: "/a.xml", format: "xml", size: 10 * MiB }] },
    ]);
  });

  it("makes one task per archive, with the input format for its members", () => {
    const tasks = planTasks([{ name: "x.tar.gz", path: "/x.tar.gz", size: 5, archive: "gzip" }], {
      shardSize: 2,
      inputFormat: "ecs",
    });
    expect(tasks).toEqual([{ kind: "archive", name: "x.tar.gz", path: "/x.tar.gz", size: 5, inputFormat: "ecs" }]);
  });

  it("shares a large zip on disk among stripes (at most ZIP_STRIPES_MAX); a small or remote zip, and other archives, stay one task", () => {
    const plan = (path: string, size: number, archive: "zip" | "gzip") =>
      planTasks([{ name: "x", path, size, archive }], { shardSize: 10 });
    expect(plan("/x.zip", 25, "zip")).toEqual(
      [0, 1, 2].map((index) => ({ kind: "archive", name: "x", path: "/x.zip", size: 25, stripe: { index, of: 3 } })),
    );
    expect(plan("/x.zip", 10_000, "zip")).toHaveLength(ZIP_STRIPES_MAX);
    expect(plan("/x.zip", 25, "zip").reduce((sum, t) => sum + taskBytes(t), 0)).toBe(25);
    expect(plan("/x.zip", 10, "zip")).toHaveLength(1);
    expect(plan("https://h/x.zip", 25, "zip")).toHaveLength(1);
    expect(plan("/x.tar.gz", 25, "gzip")).toHaveLength(1);
  });

  it("batches small files by bytes and by count", () => {
    const files: PlanInput[] = Array.from({ length: BATCH_MAX_FILES + 3 }, (_, i) => ({
      name: `f${i}`,
      path: `/f${i}`,
      size: 1,
      format: "xml",
    }));
    const byCount = planTasks(files, { shardSize: MiB });
    expect(byCount.map((t) => (t.kind === "batch" ? t.files.length : -1))).toEqual([BATCH_MAX_FILES, 3]);
    const byBytes = planTasks(files.slice(0, 5), { shardSize: 2 });
    expect(byBytes.map((t) => (t.kind === "batch" ? t.files.length : -1))).toEqual([2, 2, 1]);
  });

  it("streams: add() and finish() give what planTasks gives", () => {
    const inputs: PlanInput[] = [
      { name: "s", path: "/s", size: 3, format: "flat" },
      { name: "b", path: "/b", size: 25, format: "evtx" },
      { name: "z", path: "/z", size: 4, archive: "zip" },
    ];
    const planner = new TaskPlanner({ shardSize: 10 });
    const streamed = [...inputs.flatMap((i) => planner.add(i)), ...planner.finish()];
    expect(streamed).toEqual(planTasks(inputs, { shardSize: 10 }));
  });

  it("covers every byte of every input exactly once, whatever the shard size", () => {
    const input = fc.record({
      size: fc.integer({ min: 0, max: 5000 }),
      archive: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), fc.integer({ min: 2, max: 3000 }), (specs, shardSize) => {
        const inputs: PlanInput[] = specs.map((s, i) =>
          s.archive
            ? { name: `a${i}`, path: `/a${i}`, size: s.size, archive: "gzip" }
            : { name: `f${i}`, path: `/f${i}`, size: s.size, format: "flat" },
        );
        const tasks = planTasks(inputs, { shardSize });
        const total = inputs.reduce((sum, i) => sum + i.size, 0);
        expect(tasks.reduce((sum, t) => sum + taskBytes(t), 0)).toBe(total);
        for (const input of inputs) {
          const ranges = tasks.filter((t) => t.kind === "range" && t.path === input.path);
          const whole = tasks.filter(
            (t) =>
              (t.kind === "archive" && t.path === input.path) ||
              (t.kind === "batch" && t.files.some((f) => f.path === input.path)),
          );
          expect(ranges.length > 0 ? 0 : 1).toBe(whole.length);
          let at = 0;
          for (const r of ranges) {
            if (r.kind !== "range") continue;
            expect(r.start).toBe(at);
            expect(r.end - r.start).toBeLessThanOrEqual(shardSize);
            at = r.end;
          }
          if (ranges.length > 0) expect(at).toBe(input.size);
        }
      }),
    );
  });
});
