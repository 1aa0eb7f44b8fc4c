/**
 * Matcher throughput on EVTX: the fast scan (wasm prefilter for `lsass` in UTF-16LE/8-bit,
 * decode candidates only) against the reference scan (decode every record), in memory, per
 * hit density and buffer size; and the wasm engine's own EVTX path when the engine exists.
 *
 * Sizes: an EVTX chunk is 64 KiB and the smallest unit a writer produces, so sizes under
 * 64 KiB are skipped; "64 KiB" is a volume of lone chunks (`ElfChnk` first, no file header),
 * each scanned by its own call; larger sizes are one whole file.
 */

import { evtxPrefiltersOf, scanEvtxBytes } from "../../src/engine/evtx-searcher.js";
import { loadMatcherModule } from "../../src/wasm/module.js";
import { formatSize } from "../config.js";
import { buildEvtxCorpus } from "../evtx-corpus.js";
import { expectCount, measure, megabytesPerSecond } from "../measure.js";
import { formatRatio, hitsChecked, type ResultRow } from "../result-table.js";
import { DENSITIES, type Suite } from "./suite-context.js";

const CHUNK_SIZE = 65536;
const FILE_HEADER_SIZE = 4096;

async function* oneChunk(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** The EVTX suite. */
export const evtxSuite: Suite = async (context) => {
  const { config, engines } = context;
  const rows: ResultRow[] = [];
  for (const density of DENSITIES) {
    for (const size of config.bufferSizes) {
      if (size < CHUNK_SIZE) continue;
      const volume = Math.max(size, config.matcherVolume);
      const corpus = buildEvtxCorpus({ size: volume, seed: config.seed, hitsPerGb: density.hitsPerGb });
      const inputs: Uint8Array[] = [];
      if (size <= CHUNK_SIZE) {
        for (let at = FILE_HEADER_SIZE; at < corpus.bytes.length; at += CHUNK_SIZE) {
          inputs.push(corpus.bytes.subarray(at, at + CHUNK_SIZE));
        }
      } else {
        inputs.push(corpus.bytes);
      }
      const label = `evtx ${density.name} ${formatSize(size)}`;
      const caseText = `${label} (${inputs.length} input${inputs.length === 1 ? "" : "s"}, ${formatSize(corpus.bytes.length)})`;
      context.progress(`evtx: ${label}`);
      const scanMode = (mode: "fast" | "reference") => () => {
        let matches = 0;
        for (const input of inputs) {
          scanEvtxBytes(
            input,
            () => {
              matches++;
            },
            mode === "fast" ? { prefilters: evtxPrefiltersOf(loadMatcherModule()) } : {},
          );
        }
        expectCount(`evtx ${mode} scan on ${label}`, matches, corpus.hits);
      };
      const fast = await measure(`${label} fast`, scanMode("fast"), context.sampling);
      const reference = await measure(`${label} reference`, scanMode("reference"), context.sampling);
      const rate = (ms: number) => megabytesPerSecond(corpus.bytes.length, ms);
      const note = hitsChecked(corpus.hits);
      const wasm = engines.wasm;
      if (wasm !== undefined) {
        const timing = await measure(
          `${label} wasm engine`,
          async () => {
            let matches = 0;
            for (const input of inputs) {
              await wasm.scanStream(oneChunk(input), "evtx", () => {
                matches++;
              });
            }
            expectCount(`wasm engine on ${label}`, matches, corpus.hits);
          },
          context.sampling,
        );
        rows.push({
          suite: "evtx",
          case: caseText,
          subject: `${engines.fastLabel} engine`,
          medianMs: timing.medianMs,
          mbps: rate(timing.medianMs),
          ratios: `${formatRatio(reference.medianMs / timing.medianMs)} reference scan`,
          note,
        });
      } else {
        rows.push({ suite: "evtx", case: caseText, subject: "wasm engine", note: engines.wasmMissing });
      }
      rows.push({
        suite: "evtx",
        case: caseText,
        subject: "fast scan (wasm prefilter)",
        medianMs: fast.medianMs,
        mbps: rate(fast.medianMs),
        ratios: `${formatRatio(reference.medianMs / fast.medianMs)} reference scan`,
        note,
      });
      rows.push({
        suite: "evtx",
        case: caseText,
        subject: "reference scan",
        medianMs: reference.medianMs,
        mbps: rate(reference.medianMs),
        note,
      });
    }
  }
  return rows;
};
