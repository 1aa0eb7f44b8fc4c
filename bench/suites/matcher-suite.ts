/**
 * Matcher throughput on text formats: the wasm engine, the reference engine and the plain-JS
 * `Buffer.indexOf` baseline (bench/indexof-baseline.ts) on the same bytes in memory, for each
 * format, hit density and buffer size. Engines are driven through their public API
 * (`Engine.scanStream`, one in-memory chunk per input).
 *
 * Buffer sizes: a "16 MiB" buffer is one input of that size; smaller sizes are a volume of
 * log data (LDS_BENCH_MATCHER_VOLUME, 4 MiB) cut between records into many inputs of at most
 * that size, each scanned by its own call, so per-call costs show as they would on many small
 * inputs. An XML or JSON record is ~1.3–2.7 KiB, so "1 KiB" inputs hold one record each.
 */

import type { Engine } from "../../src/engine/engine.js";
import type { TextFormat } from "../../src/formats/log-format.js";
import { generateBuffer } from "../../src/generate/index.js";
import { formatSize } from "../config.js";
import { recordPieces } from "../generated-layout.js";
import { countAnchor, indexOfScan } from "../indexof-baseline.js";
import { expectCount, measure, megabytesPerSecond, type SampleOptions } from "../measure.js";
import { WasmPrefilter } from "../prefilter-kernels.js";
import { formatRatio, hitsChecked, type ResultRow } from "../result-table.js";
import { DENSITIES, type Suite } from "./suite-context.js";

/** Text formats, in table order. */
export const TEXT_FORMATS: readonly TextFormat[] = ["xml", "flat", "ecs", "evtxdump"];

/** In-memory inputs of one case and their answer. */
export interface MatcherInputs {
  format: TextFormat;
  /** All the bytes; `pieces` are views into it. */
  whole: Buffer;
  pieces: Buffer[];
  bytes: number;
  hits: number;
}

/** Generates the inputs of one case: `volume` bytes of `format` cut into inputs of at most `pieceSize`. */
export function matcherInputs(
  format: TextFormat,
  hitsPerGb: number,
  pieceSize: number,
  volume: number,
  seed: number,
): MatcherInputs {
  const generated = generateBuffer({ format, size: Math.max(volume, pieceSize), seed, hitsPerGb });
  const pieces =
    // The generator stops at the first record end past `size`: a buffer of `volume` is one input.
    pieceSize >= volume ? [generated.buffer] : recordPieces(generated.buffer, pieceSize, format);
  return { format, whole: generated.buffer, pieces, bytes: generated.buffer.length, hits: generated.hits };
}

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Scans every input with `engine`, returns the matches reported through onMatch. */
export async function engineScanAll(engine: Engine, inputs: MatcherInputs): Promise<number> {
  let matches = 0;
  const onMatch = () => {
    matches++;
  };
  for (const piece of inputs.pieces) await engine.scanStream(oneChunk(piece), inputs.format, onMatch);
  return matches;
}

/** Scans every input with the plain-JS baseline. */
export function indexOfScanAll(inputs: MatcherInputs): number {
  let matches = 0;
  for (const piece of inputs.pieces) matches += indexOfScan(piece, inputs.format);
  return matches;
}

/** Median MB/s of the two prefilters alone on one case, after checking they agree. */
export async function measurePrefilters(
  inputs: MatcherInputs,
  sampling: SampleOptions,
  label: string,
): Promise<{ wasm: number; indexOf: number; wasmMs: number; indexOfMs: number; candidates: number; escapes: number }> {
  const wasm = new WasmPrefilter(inputs.whole, inputs.format);
  const ranges = inputs.pieces.map((p) => {
    const from = p.byteOffset - inputs.whole.byteOffset;
    return [from, from + p.length] as const;
  });
  let expected = 0;
  for (const piece of inputs.pieces) expected += countAnchor(piece);
  let escapes = 0;
  const wasmMs = (
    await measure(
      `${label} wasm prefilter`,
      () => {
        let anchors = 0;
        escapes = 0;
        for (const [from, end] of ranges) {
          const c = wasm.candidates(from, end);
          anchors += c.anchors;
          escapes += c.escapes;
        }
        expectCount(`wasm prefilter (.dmp candidates) on ${label}`, anchors, expected);
      },
      sampling,
    )
  ).medianMs;
  const indexOfMs = (
    await measure(
      `${label} indexOf prefilter`,
      () => {
        let anchors = 0;
        for (const piece of inputs.pieces) anchors += countAnchor(piece);
        expectCount(`indexOf prefilter on ${label}`, anchors, expected);
      },
      sampling,
    )
  ).medianMs;
  return {
    wasm: megabytesPerSecond(inputs.bytes, wasmMs),
    indexOf: megabytesPerSecond(inputs.bytes, indexOfMs),
    wasmMs,
    indexOfMs,
    candidates: expected,
    escapes,
  };
}

/** Median MB/s of each subject on one case (undefined: not measured). */
export interface MatcherSpeeds {
  wasm?: number | undefined;
  reference: number;
  indexOf: number;
}

/** Measures the three subjects on one case, asserting the hit count of each. */
export async function measureMatchers(
  inputs: MatcherInputs,
  engines: { wasm: Engine | undefined; reference: Engine },
  sampling: SampleOptions,
  label: string,
): Promise<MatcherSpeeds & { medians: { wasm?: number; reference: number; indexOf: number } }> {
  const time = async (subject: string, fn: () => Promise<number> | number) =>
    (
      await measure(
        `${label} ${subject}`,
        async () => expectCount(`${subject} on ${label}`, await fn(), inputs.hits),
        sampling,
      )
    ).medianMs;
  const wasm = engines.wasm;
  const wasmMs = wasm === undefined ? undefined : await time("wasm", () => engineScanAll(wasm, inputs));
  const referenceMs = await time("reference", () => engineScanAll(engines.reference, inputs));
  const indexOfMs = await time("indexOf", () => indexOfScanAll(inputs));
  const rate = (ms: number) => megabytesPerSecond(inputs.bytes, ms);
  return {
    wasm: wasmMs === undefined ? undefined : rate(wasmMs),
    reference: rate(referenceMs),
    indexOf: rate(indexOfMs),
    medians: { ...(wasmMs === undefined ? {} : { wasm: wasmMs }), reference: referenceMs, indexOf: indexOfMs },
  };
}

/** The matcher suite over every format, density and buffer size. */
export const matcherSuite: Suite = async (context) => {
  const { config, engines } = context;
  const rows: ResultRow[] = [];
  for (const format of TEXT_FORMATS) {
    for (const density of DENSITIES) {
      for (const size of config.bufferSizes) {
        const volume = Math.max(size, config.matcherVolume);
        const inputs = matcherInputs(format, density.hitsPerGb, size, volume, config.seed);
        const label = `${format} ${density.name} ${formatSize(size)}`;
        context.progress(`matcher: ${label}`);
        const speeds = await measureMatchers(inputs, engines, context.sampling, label);
        const caseText = `${label} (${inputs.pieces.length} input${inputs.pieces.length === 1 ? "" : "s"}, ${formatSize(inputs.bytes)})`;
        const note = hitsChecked(inputs.hits);
        if (speeds.wasm !== undefined) {
          rows.push({
            suite: "matcher",
            case: caseText,
            subject: engines.fastLabel,
            medianMs: speeds.medians.wasm,
            mbps: speeds.wasm,
            ratios: `${formatRatio(speeds.wasm / speeds.reference)} reference, ${formatRatio(speeds.wasm / speeds.indexOf)} indexOf`,
            note,
          });
        } else {
          rows.push({ suite: "matcher", case: caseText, subject: "wasm", note: engines.wasmMissing });
        }
        rows.push({
          suite: "matcher",
          case: caseText,
          subject: "reference",
          medianMs: speeds.medians.reference,
          mbps: speeds.reference,
          note,
        });
        rows.push({
          suite: "matcher",
          case: caseText,
          subject: "indexOf baseline",
          medianMs: speeds.medians.indexOf,
          mbps: speeds.indexOf,
          ratios: `${formatRatio(speeds.indexOf / speeds.reference)} reference`,
          note,
        });
        let kernels: Awaited<ReturnType<typeof measurePrefilters>>;
        try {
          kernels = await measurePrefilters(inputs, context.sampling, label);
        } catch (err) {
          if (err instanceof Error && err.message.includes("wrong answer")) throw err;
          rows.push({
            suite: "matcher",
            case: caseText,
            subject: "prefilter only",
            note: `unavailable: ${String(err)}`,
          });
          continue;
        }
        const candidates = `${kernels.candidates} .dmp candidates ✓${kernels.escapes > 0 ? ` (+${kernels.escapes} escape leads)` : ""}`;
        rows.push({
          suite: "matcher",
          case: caseText,
          subject: "prefilter only: wasm nextCandidate",
          medianMs: kernels.wasmMs,
          mbps: kernels.wasm,
          ratios: `${formatRatio(kernels.wasm / kernels.indexOf)} indexOf prefilter`,
          note: candidates,
        });
        rows.push({
          suite: "matcher",
          case: caseText,
          subject: "prefilter only: fold + indexOf",
          medianMs: kernels.indexOfMs,
          mbps: kernels.indexOf,
          note: candidates,
        });
      }
    }
  }
  return rows;
};
