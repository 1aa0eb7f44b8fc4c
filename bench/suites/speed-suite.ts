/**
 * Where users feel speed (issue 12), side by side in interleaved rounds (bench/measure.ts):
 *
 * - start-up: `node -e 0`, the bundled CLI (dist/bin) and tsc's unbundled CLI (dist-bench)
 *   scanning a 1 KB XML file, new processes;
 * - the real-sized EVTX folder (LDS_BENCH_EVTX_FOLDER_FILES, default 400 files of 64 KiB-20
 *   MiB, bench/evtx-bench-data.ts REAL_FOLDER): `cat`, the CLI with default options and with
 *   `-j 1`;
 * - per-file overhead: one thread in process on the folder against the same chunks in one
 *   file (header + every file's chunks): (folder - one file) / files.
 */

import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { scanParallel } from "../../src/pool/parallel-scan.js";
import { BUNDLED_CLI, evtxFolder } from "../check-speed.js";
import { DATA_DIR, REPO_ROOT } from "../data-store.js";
import { expectCount, interleave, median } from "../measure.js";
import { CLI_PATH, checkCliRun, runProcess } from "../processes.js";
import { formatRatio, type ResultRow } from "../result-table.js";
import type { Suite } from "./suite-context.js";

const FILE_HEADER = 4096;

/** The folder's chunks in one EVTX file (the first file's header, then every file's chunks). */
function oneFileOf(folder: string, files: readonly string[]): string {
  const path = `${folder}.onefile.evtx`;
  if (existsSync(path)) return path;
  const fd = openSync(path, "w");
  try {
    files.forEach((name, i) => {
      const bytes = readFileSync(join(folder, name));
      const part = i === 0 ? bytes : bytes.subarray(FILE_HEADER);
      let done = 0;
      while (done < part.length) done += writeSync(fd, part, done, part.length - done);
    });
  } finally {
    closeSync(fd);
  }
  return path;
}

/** The speed suite. */
export const speedSuite: Suite = async (context) => {
  const rows: ResultRow[] = [];
  const rounds = Math.max(5, context.config.samples);
  const engine = context.engines.cliFastEngine;

  // Start-up.
  const small = join(DATA_DIR, "startup-1k.xml");
  const demo = readFileSync(join(REPO_ROOT, "demo", "dc01-sysmon.xml.log"));
  const end = demo.indexOf("</Event>", 900);
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(small, demo.subarray(0, end + "</Event>".length));
  const proc = (args: string[], matches?: number) => async () => {
    const r = await runProcess(process.execPath, args, { discardStdout: true });
    if (matches === undefined) {
      if (r.status !== 0) throw new Error(`node ${args.join(" ")}: exit status ${r.status}`);
    } else checkCliRun(r, matches, args.join(" "));
  };
  const scanArgs = (cli: string, inputs: string[], extra: string[] = []) => [
    cli,
    "scan",
    ...inputs,
    "--engine",
    engine,
    "--no-progress",
    "--format",
    "jsonl",
    ...extra,
  ];
  context.progress("speed: start-up");
  const start = await interleave(
    [
      { name: "node -e 0", fn: proc(["-e", "0"]) },
      { name: "bundled CLI (dist/bin)", fn: proc(scanArgs(BUNDLED_CLI, [small]), 0) },
      { name: "unbundled CLI (tsc)", fn: proc(scanArgs(CLI_PATH, [small]), 0) },
    ],
    rounds * 3,
  );
  const nodeMs = median(start.get("node -e 0") ?? []);
  for (const [subject, times] of start) {
    const ms = median(times);
    rows.push({
      suite: "speed",
      case: "start-up, 1 KB XML",
      subject,
      medianMs: ms,
      ratios: subject === "node -e 0" ? undefined : `+${(ms - nodeMs).toFixed(0)} ms over node -e 0`,
    });
  }

  // The EVTX folder.
  const files = Number(process.env.LDS_BENCH_EVTX_FOLDER_FILES || 400);
  const folder = evtxFolder(files, context.config.seed);
  const names = readdirSync(folder.path).sort();
  const bytes = folder.manifest.bytes;
  const hits = folder.manifest.matches;
  const caseText = `EVTX folder, ${names.length} real-sized files (${(bytes / 2 ** 20).toFixed(0)} MiB)`;
  context.progress(`speed: ${caseText}`);
  const cat = async () => {
    const r = await runProcess(
      "cat",
      names.map((n) => join(folder.path, n)),
      { discardStdout: true },
    );
    if (r.status !== 0) throw new Error(`cat: exit status ${r.status}`);
  };
  const cli = await interleave(
    [
      { name: "cat", fn: cat },
      { name: "lsass-dump-scan (default threads)", fn: proc(scanArgs(BUNDLED_CLI, [folder.path]), hits) },
      { name: "lsass-dump-scan -j 1", fn: proc(scanArgs(BUNDLED_CLI, [folder.path], ["-j", "1"]), hits) },
    ],
    rounds,
  );
  const catMs = median(cli.get("cat") ?? []);
  const oneMs = median(cli.get("lsass-dump-scan -j 1") ?? []);
  for (const [subject, times] of cli) {
    const ms = median(times);
    const rate = bytes / ms / 1000;
    const vs = [`${formatRatio(catMs / ms)} cat`];
    if (subject.includes("default")) vs.push(`${formatRatio(oneMs / ms)} -j 1`);
    rows.push({
      suite: "speed",
      case: caseText,
      subject,
      medianMs: ms,
      mbps: rate,
      ratios: subject === "cat" ? undefined : vs.join(", "),
      note: subject === "cat" ? undefined : `${hits} matches ✓`,
    });
  }

  // Per-file overhead, one thread, in process.
  const single = oneFileOf(folder.path, names);
  const scan = (inputs: string[]) => async () => {
    const r = await scanParallel(inputs, { engine: "wasm", workers: 1 });
    expectCount(`speed: ${inputs[0]}`, r.stats.matches, hits);
  };
  context.progress("speed: per-file overhead");
  const perFile = await interleave(
    [
      { name: "folder", fn: scan([folder.path]) },
      { name: "one file", fn: scan([single]) },
    ],
    rounds,
  );
  const folderMs = median(perFile.get("folder") ?? []);
  const singleMs = median(perFile.get("one file") ?? []);
  for (const [subject, ms] of [
    [`one thread in process, ${names.length} files`, folderMs],
    ["one thread in process, the same chunks in one file", singleMs],
  ] as const) {
    rows.push({ suite: "speed", case: caseText, subject, medianMs: ms, mbps: bytes / ms / 1000 });
  }
  rows.push({
    suite: "speed",
    case: caseText,
    subject: "per-file overhead",
    note: `${(((folderMs - singleMs) / names.length) * 1000).toFixed(0)} µs a file ((folder - one file) / ${names.length})`,
  });
  return rows;
};
