/**
 * Issue 4: a worker task scans shards, batches and archives, and reports a file that shrank or
 * grew between planning and scanning as a one-line problem instead of losing records silently.
 */

import { appendFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { runTask } from "../src/pool/run-task.js";
import { tempDir } from "./helpers/cli.js";
import { flatRecord, TRUE_POSITIVE as TP } from "./helpers/seed-events.js";

const dir = tempDir();
const record = `${flatRecord(TP)}\n`;

function file(name: string, copies: number): { path: string; size: number } {
  const path = join(dir, name);
  writeFileSync(path, record.repeat(copies));
  return { path, size: Buffer.byteLength(record) * copies };
}

describe("runTask", () => {
  it("scans a batch of small files whole and counts them", async () => {
    const a = file("a.json", 2);
    const b = file("b.json", 3);
    const r = await runTask(
      {
        kind: "batch",
        files: [
          { name: "a.json", path: a.path, format: "flat", size: a.size },
          { name: "b.json", path: b.path, format: "flat", size: b.size },
        ],
      },
      referenceEngine,
    );
    expect(r.inputsScanned).toBe(2);
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0]!.count).toBe(5);
    expect(r.problems).toEqual([]);
  });

  it("issue 12: awaits betweenFiles after each file of a batch (the coordinator's event-loop turns)", async () => {
    const files = ["p.json", "q.json", "r.json"].map((name) => ({ name, ...file(name, 1), format: "flat" as const }));
    const seen: number[] = [];
    const r = await runTask({ kind: "batch", files }, referenceEngine, false, async () => {
      seen.push(seen.length);
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(r.inputsScanned).toBe(3);
  });

  it("issue-4: a file that grew after planning is reported", async () => {
    const f = file("grows.json", 2);
    appendFileSync(f.path, record);
    const r = await runTask(
      { kind: "batch", files: [{ name: "grows.json", path: f.path, format: "flat", size: f.size }] },
      referenceEngine,
    );
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.input).toBe("grows.json");
    expect(r.problems[0]!.message).toMatch(/^grew while being scanned/);
  });

  it("issue-4: a file that shrank after planning is reported", async () => {
    const f = file("shrinks.json", 4);
    truncateSync(f.path, Math.floor(f.size / 2));
    const r = await runTask(
      { kind: "batch", files: [{ name: "shrinks.json", path: f.path, format: "flat", size: f.size }] },
      referenceEngine,
    );
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^shrank while being scanned/)]);
  });

  it("a file that vanished after planning is one problem", async () => {
    const r = await runTask(
      { kind: "batch", files: [{ name: "gone.json", path: join(dir, "gone.json"), format: "flat", size: 10 }] },
      referenceEngine,
    );
    expect(r.problems).toEqual([
      { input: "gone.json", code: "LDS_E_INPUT_UNREADABLE", message: "no such file or directory" },
    ]);
    expect(r.inputsScanned).toBe(0);
  });
});
