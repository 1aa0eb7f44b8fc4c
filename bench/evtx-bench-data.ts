/**
 * The EVTX benchmark's data: a folder of real-sized Sysmon-like EVTX files built with the test
 * writer (test/helpers/evtx-writer.ts), never copied from ../shared/corpus. Records look like the
 * corpus's: Sysmon events 1, 3, 10, 11 and 13 with their usual EventData fields, ~40-60 a chunk,
 * strings at odd offsets, templates defined once a chunk. About 1 record in 30 names lsass
 * (ProcessAccess to lsass.exe, as Sysmon logs with the default config do), so the prefilter has
 * real candidates to confirm; a few chunks hold a true positive.
 *
 * A pool of distinct chunks is built once, and files are assembled from it (header + chunks),
 * some dirty (header under-counts), some with trailing empty chunks, as real logs are.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildEvtx,
  el,
  evtxFileHeader,
  type RecordSpec,
  recordsThatFit,
  sub,
  type TemplateSpec,
  VALUE_TYPE,
  v,
} from "../test/helpers/evtx-writer.js";

/** Deterministic PRNG (mulberry32), so every run builds the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYSTEM_VALUES = 12;

/** A Sysmon template: the usual System block and one string Data per name. */
function sysmonTemplate(eventId: number, dataNames: string[]): TemplateSpec {
  const system = el(
    "System",
    {},
    el("Provider", { Name: sub(0, VALUE_TYPE.STRING, true), Guid: sub(1, VALUE_TYPE.GUID, true) }),
    el("EventID", {}, sub(2, VALUE_TYPE.UINT16)),
    el("Version", {}, sub(3, VALUE_TYPE.UINT8)),
    el("Level", {}, sub(4, VALUE_TYPE.UINT8)),
    el("Task", {}, sub(5, VALUE_TYPE.UINT16)),
    el("Opcode", {}, sub(6, VALUE_TYPE.UINT8)),
    el("Keywords", {}, sub(7, VALUE_TYPE.HEX_INT64)),
    el("TimeCreated", { SystemTime: sub(8, VALUE_TYPE.FILETIME, true) }),
    el("EventRecordID", {}, sub(9, VALUE_TYPE.UINT64)),
    el("Correlation"),
    el("Channel", {}, sub(10, VALUE_TYPE.STRING)),
    el("Computer", {}, sub(11, VALUE_TYPE.STRING)),
  );
  const data = dataNames.map((name, i) => el("Data", { Name: name }, sub(SYSTEM_VALUES + i, VALUE_TYPE.STRING, true)));
  return {
    guid: `{${eventId.toString(16).padStart(8, "0")}-0000-4000-8000-00000000BEEF}`,
    root: el(
      "Event",
      { xmlns: "http://schemas.microsoft.com/win/2004/08/events/event" },
      system,
      el("EventData", {}, ...data),
    ),
  };
}

const TEMPLATES = {
  1: sysmonTemplate(1, [
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "FileVersion",
    "Description",
    "Product",
    "Company",
    "OriginalFileName",
    "CommandLine",
    "CurrentDirectory",
    "User",
    "LogonGuid",
    "LogonId",
    "TerminalSessionId",
    "IntegrityLevel",
    "Hashes",
    "ParentProcessGuid",
    "ParentProcessId",
    "ParentImage",
    "ParentCommandLine",
  ]),
  3: sysmonTemplate(3, [
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "User",
    "Protocol",
    "Initiated",
    "SourceIsIpv6",
    "SourceIp",
    "SourceHostname",
    "SourcePort",
    "DestinationIsIpv6",
    "DestinationIp",
    "DestinationHostname",
    "DestinationPort",
  ]),
  10: sysmonTemplate(10, [
    "RuleName",
    "UtcTime",
    "SourceProcessGUID",
    "SourceProcessId",
    "SourceThreadId",
    "SourceImage",
    "TargetProcessGUID",
    "TargetProcessId",
    "TargetImage",
    "GrantedAccess",
    "CallTrace",
  ]),
  11: sysmonTemplate(11, [
    "RuleName",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "TargetFilename",
    "CreationUtcTime",
  ]),
  13: sysmonTemplate(13, [
    "RuleName",
    "EventType",
    "UtcTime",
    "ProcessGuid",
    "ProcessId",
    "Image",
    "TargetObject",
    "Details",
  ]),
} as const;

const TASKMGR = "C:\\Windows\\System32\\Taskmgr.exe";
const IMAGES = [
  "C:\\Windows\\System32\\svchost.exe",
  "C:\\Windows\\explorer.exe",
  "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
  "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
  "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
  "C:\\Windows\\System32\\conhost.exe",
  TASKMGR,
  "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
];
const OTHER_IMAGES = IMAGES.filter((image) => image !== TASKMGR);

/** Builds one record of the given Sysmon event type. */
function recordOf(
  kind: keyof typeof TEMPLATES,
  rand: () => number,
  host: string,
  id: number,
  tp: boolean,
  taskmgrEvery: number,
): RecordSpec {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const hex = (n: number): string =>
    Array.from({ length: n }, () => "0123456789ABCDEF"[Math.floor(rand() * 16)] as string).join("");
  const guid = (): string => `{${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}}`;
  const seconds = 1_640_000_000 + id * 7;
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  const time = `${iso}.${String(Math.floor(rand() * 1e7)).padStart(7, "0")}Z`;
  const utc = `${iso.replace("T", " ")}.${String(Math.floor(rand() * 1000)).padStart(3, "0")}`;
  // Taskmgr.exe is one image in eight, or (taskmgrEvery > 0) one record in taskmgrEvery.
  const anyImage = () => (taskmgrEvery > 0 ? pick(OTHER_IMAGES) : pick(IMAGES));
  const image = taskmgrEvery > 0 && rand() * taskmgrEvery < 1 ? TASKMGR : anyImage();
  const pid = String(1000 + Math.floor(rand() * 60000));
  let data: string[];
  switch (kind) {
    case 1:
      data = [
        "-",
        utc,
        guid(),
        pid,
        image,
        "10.0.19041.1 (WinBuild.160101.0800)",
        "Host Process for Windows Services",
        "Microsoft® Windows® Operating System",
        "Microsoft Corporation",
        "svchost.exe",
        `${image} -k netsvcs -p -s ${hex(12)} --type=renderer --field-trial-handle=${hex(40)} /prefetch:${hex(2)}`,
        "C:\\Windows\\system32\\",
        "NT AUTHORITY\\SYSTEM",
        guid(),
        `0x${hex(6).toLowerCase()}`,
        "0",
        "System",
        `SHA1=${hex(40)},MD5=${hex(32)},SHA256=${hex(64)},IMPHASH=${hex(32)}`,
        guid(),
        String(600 + Math.floor(rand() * 400)),
        "C:\\Windows\\System32\\services.exe",
        "C:\\Windows\\system32\\services.exe",
      ];
      break;
    case 3:
      data = [
        "-",
        utc,
        guid(),
        pid,
        image,
        "NT AUTHORITY\\NETWORK SERVICE",
        "tcp",
        "true",
        "false",
        `10.0.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
        host,
        String(49152 + Math.floor(rand() * 16000)),
        "false",
        `52.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
        `server-${hex(4).toLowerCase()}.example.net`,
        "443",
      ];
      break;
    case 10: {
      const lsass = rand() < 0.2;
      data = [
        "-",
        utc,
        guid(),
        pid,
        String(Math.floor(rand() * 20000)),
        image,
        guid(),
        lsass ? "712" : pid,
        lsass ? "C:\\Windows\\system32\\lsass.exe" : anyImage(),
        lsass ? "0x1010" : "0x1000",
        `C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|C:\\Windows\\System32\\KERNELBASE.dll+2c13e|${image}+${hex(5).toLowerCase()}|UNKNOWN(${hex(16)})`,
      ];
      break;
    }
    case 11:
      data = tp
        ? [
            "-",
            utc,
            guid(),
            pid,
            "C:\\Windows\\System32\\Taskmgr.exe",
            `C:\\Users\\admin${id % 7}\\AppData\\Local\\Temp\\lsass (${id % 5}).DMP`,
            utc,
          ]
        : ["-", utc, guid(), pid, image, `C:\\Users\\user\\AppData\\Local\\Temp\\${hex(8)}.tmp`, utc];
      break;
    default:
      data = [
        "-",
        "SetValue",
        utc,
        guid(),
        pid,
        image,
        `HKLM\\System\\CurrentControlSet\\Services\\${hex(6)}\\Parameters\\Start`,
        `DWORD (0x0000000${Math.floor(rand() * 4)})`,
      ];
  }
  const eventId = tp ? 11 : kind;
  const values = [
    v.string("Microsoft-Windows-Sysmon"),
    v.guid("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"),
    v.u16(eventId),
    v.u8(kind === 1 ? 5 : 2),
    v.u8(4),
    v.u16(eventId),
    v.u8(0),
    v.hex64(0x8000000000000000n),
    v.filetime(time),
    v.u64(BigInt(id)),
    v.string("Microsoft-Windows-Sysmon/Operational"),
    v.string(host),
    ...data.map((d) => v.string(d)),
  ];
  return { template: TEMPLATES[tp ? 11 : kind], values };
}

/** What the benchmark expects to find, written next to the files. */
export interface BenchManifest {
  files: string[];
  bytes: number;
  /** Matching events (live records) in the whole folder. */
  matches: number;
}

/** Chunks per file (without trailing empty ones), drawn from `rand`. */
export type ChunkCounts = (rand: () => number) => number;

/** 16-256 chunks (1-16 MiB, ~8.5 MiB on average): the original bench folder. */
export const UNIFORM_CHUNKS: ChunkCounts = (rand) => 16 + Math.floor(rand() * 241);

/**
 * Sizes of a real triage folder (KAPE-style collections of Sysmon and other channels, issue
 * 12: 64 KiB-20 MiB, most ~1 MiB): 70% 14-20 chunks (0.9-1.3 MiB), 20% 1-13, 8% 20-99,
 * 2% 100-319 (up to 20 MiB); ~1.4 MiB on average.
 */
export const REAL_SIZED_CHUNKS: ChunkCounts = (rand) => {
  const r = rand();
  if (r < 0.7) return 14 + Math.floor(rand() * 7);
  if (r < 0.9) return 1 + Math.floor(rand() * 13);
  if (r < 0.98) return 20 + Math.floor(rand() * 80);
  return 100 + Math.floor(rand() * 220);
};

/** How the folder's files look besides their number. */
export interface FolderShape {
  /** Chunks per file (default {@link UNIFORM_CHUNKS}). */
  chunkCounts?: ChunkCounts;
  /**
   * 0 (default): Taskmgr.exe is one image in eight, so nearly every chunk also holds
   * `taskmgr` and the prefilter's `lsass` candidates are decoded (a dense-candidate worst
   * case). n > 0: one record in n runs Taskmgr.exe, as in real logs (Task Manager is opened
   * now and then), so few chunks need a record decoded.
   */
  taskmgrEvery?: number;
}

/** The real-sized triage folder of issue 12: {@link REAL_SIZED_CHUNKS}, Taskmgr.exe in one record of 2,000. */
export const REAL_FOLDER: FolderShape = { chunkCounts: REAL_SIZED_CHUNKS, taskmgrEvery: 2000 };

/**
 * Builds the folder: `fileCount` files (sizes from `shape.chunkCounts`) assembled from a pool
 * of distinct chunks. Returns the manifest (also written as manifest.json).
 */
export function buildBenchFolder(dir: string, fileCount: number, seed = 6, shape: FolderShape = {}): BenchManifest {
  const chunkCounts = shape.chunkCounts ?? UNIFORM_CHUNKS;
  mkdirSync(dir, { recursive: true });
  const rand = prng(seed);
  const POOL = 48;
  const pool: Uint8Array[] = [];
  const poolMatches: number[] = [];
  let id = 1;
  const truePositives = new Set<RecordSpec>();
  for (let c = 0; c < POOL; c++) {
    const host = `WS-${String(c).padStart(3, "0")}.corp.example`;
    const withTp = c === 3;
    const records = recordsThatFit(() => {
      const r = rand();
      const kind = r < 0.3 ? 1 : r < 0.45 ? 3 : r < 0.6 ? 10 : r < 0.85 ? 11 : 13;
      const tp = withTp && kind === 11 && truePositives.size === 0;
      const record = recordOf(kind, rand, host, id++, tp, shape.taskmgrEvery ?? 0);
      if (tp) truePositives.add(record);
      return record;
    });
    poolMatches.push(records.filter((record) => truePositives.has(record)).length);
    pool.push(buildEvtx({ chunks: [{ records }] }).bytes.slice(4096));
  }
  const manifest: BenchManifest = { files: [], bytes: 0, matches: 0 };
  for (let f = 0; f < fileCount; f++) {
    const chunks = chunkCounts(rand);
    const empty = rand() < 0.3 ? Math.floor(rand() * 4) : 0;
    const dirty = rand() < 0.5;
    const file = new Uint8Array(4096 + (chunks + empty) * 65536);
    file.set(evtxFileHeader(chunks, dirty), 0);
    for (let c = 0; c < chunks; c++) {
      const p = Math.floor(rand() * POOL);
      file.set(pool[p] as Uint8Array, 4096 + c * 65536);
      manifest.matches += poolMatches[p] as number;
    }
    const name = `sysmon-${String(f).padStart(4, "0")}.evtx`;
    writeFileSync(join(dir, name), file);
    manifest.files.push(name);
    manifest.bytes += file.length;
  }
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  return manifest;
}
