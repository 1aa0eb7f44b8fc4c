/**
 * The stdout and file sinks: the RowSink contract (write, close once, summary) over real
 * streams and files, and failures as one ScanError LDS_E_SINK naming the sink.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Row } from "../src/report/row.js";
import { createFileSink } from "../src/sinks/file-sink.js";
import { formatRows, ROW_FORMATS } from "../src/sinks/row-format.js";
import { createStdoutSink } from "../src/sinks/stdout-sink.js";
import { scratchDir } from "./helpers/fixtures.js";

const ROWS: Row[] = JSON.parse(
  `[${readFileSync(new URL("./fixtures/demo-expected.jsonl", import.meta.url), "utf8")
    .trim()
    .split("\n")
    .join(",")}]`,
);
const dir = scratchDir("lds-sinks-");

function collect(stream: PassThrough): () => string {
  const parts: Buffer[] = [];
  stream.on("data", (b: Buffer) => parts.push(b));
  return () => Buffer.concat(parts).toString("utf8");
}

describe("stdout sink", () => {
  for (const format of ROW_FORMATS) {
    it(`writes ${format} as formatRows does, over several writes`, async () => {
      const stream = new PassThrough();
      const text = collect(stream);
      const sink = createStdoutSink(format, stream);
      await sink.write(ROWS.slice(0, 1));
      await sink.write(ROWS.slice(1));
      expect(await sink.close()).toEqual({ name: "stdout", delivered: ROWS.length, undelivered: 0 });
      expect(text()).toBe(formatRows(ROWS, format));
    });
  }

  it("writes the empty forms when there are no rows", async () => {
    for (const format of ROW_FORMATS) {
      const stream = new PassThrough();
      const text = collect(stream);
      const sink = createStdoutSink(format, stream);
      await sink.close();
      expect(text()).toBe(formatRows([], format));
    }
  });

  it("rejects with LDS_E_SINK naming stdout when the stream fails", async () => {
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const sink = createStdoutSink("jsonl", broken);
    await expect(sink.write(ROWS)).rejects.toMatchObject({
      code: "LDS_E_SINK",
      message: "stdout: cannot write output: the reader closed the pipe (EPIPE)",
    });
    expect(await sink.close()).toEqual({ name: "stdout", delivered: 0, undelivered: ROWS.length });
  });

  it("close is once", async () => {
    const sink = createStdoutSink("jsonl", new PassThrough());
    await sink.close();
    await expect(sink.close()).rejects.toMatchObject({ code: "LDS_E_SINK" });
  });
});

describe("file sink", () => {
  it("writes the file whole on close", async () => {
    const path = join(dir, "rows.csv");
    const sink = createFileSink(path, "csv");
    await sink.write(ROWS);
    expect(await sink.close()).toEqual({ name: path, delivered: ROWS.length, undelivered: 0 });
    expect(readFileSync(path, "utf8")).toBe(formatRows(ROWS, "csv"));
  });

  it("rejects with LDS_E_SINK naming the file when it cannot be written", async () => {
    const path = join(dir, "no-such-dir", "rows.jsonl");
    const sink = createFileSink(path, "jsonl");
    await sink.write(ROWS);
    await expect(sink.close()).rejects.toMatchObject({
      code: "LDS_E_SINK",
      message: `${path}: cannot write output: no such file or directory`,
    });
  });
});
