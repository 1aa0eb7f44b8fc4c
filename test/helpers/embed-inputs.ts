/**
 * Inputs for the embedding API's tests: generated Sysmon records in every text format (true
 * positives, decoys, background) laid out as real writers do, and EVTX files built with the
 * test EVTX writer, plus a splitter into random pieces.
 */

import type { TextFormat } from "../../src/formats/log-format.js";
import { Prng, randomRecord } from "../../src/generate/index.js";
import { buildEvtx, type ChunkSpec, type RecordSpec, type SysmonEvent, sysmonRecord } from "./evtx-writer.js";

/** Kinds of generated records. */
export type Kind = "background" | "truePositive" | "decoy";

/** Text layouts a writer may use. */
export const TEXT_LAYOUTS = ["lines", "crlf", "pretty", "wrapped"] as const;

/** One generated record's text (no trailing line feed). */
export function textRecord(format: TextFormat, kind: Kind, seed: number): string {
  return randomRecord(new Prng(seed), format, kind)
    .bytes.toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Records laid out as one input: JSON lines / pretty / array; XML lines / pretty / <Events>. */
export function textInput(records: string[], format: TextFormat, layout: (typeof TEXT_LAYOUTS)[number]): Buffer {
  let text: string;
  if (layout === "crlf") text = `${records.join("\r\n")}\r\n`;
  else if (layout === "pretty") {
    text =
      format === "xml"
        ? records.map((r) => r.replace(/></g, ">\n  <")).join("\n")
        : `${records.map((r) => JSON.stringify(JSON.parse(r), null, 2)).join("\n")}\n`;
  } else if (layout === "wrapped") {
    text =
      format === "xml"
        ? `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${records.join("\n")}\n</Events>\n`
        : `[\n${records.join(",\n")}\n]\n`;
  } else text = `${records.join("\n")}\n`;
  return Buffer.from(text, "utf8");
}

/** `bytes` cut at the given sizes, repeated until the end (sizes of at least 1). */
export function pieces(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length] as number);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

const TASKMGR = "C:\\Windows\\System32\\Taskmgr.exe";

/** A Sysmon FileCreate by Task Manager of lsass (`i`).DMP: a true positive. */
export function evtxTruePositive(i: number): SysmonEvent {
  return {
    computer: `ws${i}.corp.example`,
    image: TASKMGR,
    target: `C:\\Users\\u${i}\\AppData\\Local\\Temp\\lsass (${i}).DMP`,
    time: `2021-12-04T21:10:${String(10 + (i % 50)).padStart(2, "0")}.7235999Z`,
    recordId: BigInt(i),
  };
}

/** A record that mentions lsass but does not match (procdump writing the dump). */
export function evtxNearMiss(i: number): SysmonEvent {
  return { ...evtxTruePositive(i), image: "C:\\Tools\\procdump64.exe" };
}

/** Background: no lsass anywhere. */
export function evtxBackground(i: number): SysmonEvent {
  return { ...evtxTruePositive(i), eventId: 1, image: "C:\\Windows\\explorer.exe", target: `C:\\Temp\\r${i}.docx` };
}

/** An EVTX file of chunks, each `perChunk` records where `kindOf(chunk, index)` decides each. */
export function evtxInput(
  chunks: number,
  perChunk: number,
  kindOf: (chunk: number, index: number) => Kind,
): { bytes: Uint8Array; truePositives: number } {
  let id = 1;
  let truePositives = 0;
  const specs: ChunkSpec[] = [];
  for (let c = 0; c < chunks; c++) {
    const records: RecordSpec[] = [];
    for (let r = 0; r < perChunk; r++) {
      const kind = kindOf(c, r);
      const n = id++;
      if (kind === "truePositive") truePositives++;
      const event =
        kind === "truePositive" ? evtxTruePositive(n) : kind === "decoy" ? evtxNearMiss(n) : evtxBackground(n);
      records.push(sysmonRecord(event));
    }
    specs.push({ records });
  }
  return { bytes: buildEvtx({ chunks: specs }).bytes, truePositives };
}
