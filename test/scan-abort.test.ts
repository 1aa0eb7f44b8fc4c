/**
 * scan()'s `signal` (sweep): an abort ends the scan even while it waits on a stream that never
 * ends (a pipe whose writer stays open, a socket as `stdin`), with the rows found so far, and
 * lets go of that stream; a signal aborted before the call reads nothing at all.
 */

import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { scan } from "../src/index.js";
import { flatRecord, TRUE_POSITIVE as TP } from "./helpers/seed-events.js";

/** Background records, so that the head of the stream (64 KiB) is there and the format known. */
function background(n: number): string {
  return Array.from({ length: n }, (_, j) => `${flatRecord({ ...TP, eventId: 1, computer: `bg-${j}` })}\n`).join("");
}

describe("scan() and its signal", () => {
  it("an abort ends a scan waiting on a stdin that stays open, with the rows so far, and releases the stream", async () => {
    const stdin = new PassThrough();
    stdin.write(`${flatRecord({ ...TP, computer: "WS-BEFORE-ABORT" })}\n${background(400)}`);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const outcome = await scan(["-"], { stdin, signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(outcome.rows.map((r) => r.dest)).toEqual(["WS-BEFORE-ABORT"]);
    expect(outcome.problems).toEqual([]);
    expect(stdin.destroyed).toBe(true);
  });

  it("an abort while the head of stdin is still awaited ends the scan too", async () => {
    const stdin = new PassThrough();
    stdin.write("{");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const outcome = await scan(["-"], { stdin, signal: controller.signal });
    expect(outcome.rows).toEqual([]);
    expect(stdin.destroyed).toBe(true);
  });

  it("a signal aborted before the call reads nothing, not even stdin, and returns at once", async () => {
    const stdin = new PassThrough();
    stdin.write("{");
    const outcome = await scan(["-"], { stdin, signal: AbortSignal.abort() });
    expect(outcome.rows).toEqual([]);
    expect(outcome.problems).toEqual([]);
    expect(stdin.destroyed).toBe(false);
    expect(stdin.readableLength).toBe(1);
  });
});
