/**
 * EVTX inputs of any size for the benchmarks, with a known answer. The text generator
 * (src/generate) writes text formats only, so this builds binary logs with the project's test
 * writer (test/helpers/evtx-writer.ts): Sysmon-shaped records, one template per chunk as
 * Windows writes them, chunks filled close to full. Background events mix ordinary file
 * creations with near misses (lsass without .dmp, procdump writing lsass.dmp, taskmgr writing
 * other dumps, ProcessAccess on lsass); true positives are planted at a given byte rate.
 *
 * The expected count comes from running the rule on the fields each event was built from, not
 * from any decoder, so a scan that decodes wrongly fails its assertion.
 */

import { Prng } from "../src/generate/prng.js";
import { matchEvent } from "../src/rule/rule.js";
import { normalizeTime } from "../src/rule/time.js";
import {
  buildEvtx,
  type ChunkSpec,
  type RecordSpec,
  type SysmonEvent,
  sysmonRecord,
} from "../test/helpers/evtx-writer.js";

const CHUNK_SIZE = 65536;
const FILE_HEADER_SIZE = 4096;

/**
 * Records per chunk: 80. With every string at its longest in the vocabulary below, a chunk
 * (64 KiB less its 512-byte header, and the template written once) holds 89 of these
 * records (found by building chunks of growing counts until the writer said "chunk full");
 * 80 leaves room and fills real-looking chunks to ~90%.
 */
const RECORDS_PER_CHUNK = 80;

const IMAGES = [
  "C:\\Windows\\System32\\svchost.exe",
  "C:\\Windows\\explorer.exe",
  "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
  "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
  "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
  "C:\\Windows\\System32\\SearchIndexer.exe",
  "C:\\Windows\\System32\\msiexec.exe",
];
const TARGETS = [
  "C:\\Users\\{user}\\AppData\\Local\\Temp\\~DF{n}.TMP",
  "C:\\Windows\\Prefetch\\CHROME.EXE-{n}.pf",
  "C:\\Users\\{user}\\Downloads\\report-{n}.xlsx",
  "C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\{n}.bin",
  "C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\IE\\{n}\\image{n}.png",
];
const USERS = ["mgarcia", "jsmith", "a.kowalski", "svc_backup", "Администратор"];
const COMPUTERS = ["DESKTOP-R91ZCU1", "WKS-7951.corp.contoso.com", "LAPTOP-W8UX6Z4", "SRV-DC01.corp.contoso.com"];
const TASKMGR = "C:\\Windows\\System32\\Taskmgr.exe";

/** A built EVTX input and its answer. */
export interface EvtxCorpus {
  bytes: Uint8Array;
  /** Events that match the rule. */
  hits: number;
  /** Records written. */
  events: number;
}

function fill(template: string, rng: Prng): string {
  return template
    .replace("{user}", rng.pick(USERS))
    .replace(/\{n\}/g, () => rng.int(1_000_000).toString(16).toUpperCase());
}

function timeAt(index: number): string {
  const ms = Date.UTC(2023, 4, 1) + index * 137;
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(index % 10_000_000).padStart(7, "0")}Z`;
}

/** A background event: mostly ordinary, sometimes a near miss that must not match. */
function backgroundEvent(rng: Prng, index: number): SysmonEvent {
  const computer = rng.pick(COMPUTERS);
  const time = timeAt(index);
  const roll = rng.int(1000);
  if (roll < 4)
    return {
      computer,
      time,
      image: TASKMGR,
      target: fill("C:\\Users\\{user}\\AppData\\Local\\Temp\\explorer.DMP", rng),
    };
  if (roll < 8) return { computer, time, image: "C:\\Tools\\procdump64.exe", target: "C:\\Temp\\lsass.dmp" };
  if (roll < 12) return { computer, time, image: TASKMGR, target: "C:\\Temp\\lsass_notes.txt" };
  if (roll < 16) return { computer, time, eventId: 10, image: TASKMGR, target: "C:\\Windows\\System32\\lsass.exe" };
  return { computer, time, image: rng.pick(IMAGES), target: fill(rng.pick(TARGETS), rng) };
}

function hitEvent(rng: Prng, index: number): SysmonEvent {
  const user = rng.pick(USERS);
  const name = rng.chance(0.5) ? "lsass.DMP" : `lsass (${rng.range(2, 9)}).DMP`;
  return {
    computer: rng.pick(COMPUTERS),
    time: timeAt(index),
    image: TASKMGR,
    target: `C:\\Users\\${user}\\AppData\\Local\\Temp\\${name}`,
  };
}

function matches(e: SysmonEvent): boolean {
  const fields = {
    eventId: e.eventId ?? 11,
    provider: e.provider ?? "Microsoft-Windows-Sysmon",
    channel: e.channel ?? "Microsoft-Windows-Sysmon/Operational",
    image: e.image,
    targetFilename: e.target,
    computer: e.computer,
    time: e.time,
  };
  return matchEvent(fields, normalizeTime) !== null;
}

/**
 * Builds an EVTX file of about `size` bytes (whole chunks, at least one) with about
 * `hitsPerGb` true positives per GiB, deterministic in `seed`.
 */
export function buildEvtxCorpus(options: { size: number; seed: number; hitsPerGb: number }): EvtxCorpus {
  const rng = new Prng(options.seed);
  const chunkCount = Math.max(1, Math.round((options.size - FILE_HEADER_SIZE) / CHUNK_SIZE));
  const gap = options.hitsPerGb > 0 ? 2 ** 30 / options.hitsPerGb : Number.POSITIVE_INFINITY;
  let nextHitAt = gap * rng.float();
  let hits = 0;
  let events = 0;
  const chunks: ChunkSpec[] = [];
  for (let c = 0; c < chunkCount; c++) {
    const records: RecordSpec[] = [];
    for (let r = 0; r < RECORDS_PER_CHUNK; r++) {
      const at = FILE_HEADER_SIZE + c * CHUNK_SIZE + (r * CHUNK_SIZE) / RECORDS_PER_CHUNK;
      let event: SysmonEvent;
      if (at >= nextHitAt) {
        event = hitEvent(rng, events);
        nextHitAt += gap * (0.5 + rng.float());
      } else {
        event = backgroundEvent(rng, events);
      }
      if (matches(event)) hits++;
      records.push(sysmonRecord({ ...event, recordId: BigInt(events + 1) }));
      events++;
    }
    chunks.push({ records });
  }
  return { bytes: buildEvtx({ chunks }).bytes, hits, events };
}
