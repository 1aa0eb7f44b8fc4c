/**
 * A zip against the same files in a folder, for many small text files and for the real-sized
 * EVTX folder (400 files, 64 KiB-20 MiB): what a member costs the CLI
 * beyond a file (src/scan/zip-members.ts reads the directory and small members 1 MiB at a time
 * and inflates a small member in one call; before, every header and every chunk was a trip
 * through libuv's thread pool; a large zip is now shared by several tasks, so `-j 1` is a
 * subject too). New processes, files in page cache, interleaved rounds (one run of each subject
 * per round, order rotated), medians. Subjects: the CLI on the folder, the CLI on the zip
 * (Info-ZIP `zip -q -r`, as a user packs a triage folder) with default options and `-j 1`,
 * `unzip -p ZIP > /dev/null`
 * (Info-ZIP inflating every member, nothing scanned) when installed, and an older build's CLI
 * on the zip when LDS_BENCH_BEFORE_CLI names its dist/bin/lsass-dump-scan.js.
 *
 *   npm run build && npm run build:bench && node dist-bench/bench/zip-members-bench.js [rounds]
 *
 * Environment: LDS_BENCH_ZIP_MEMBERS (20000), LDS_BENCH_ZIP_MEMBER_SIZE (4k: generated records
 * are 1-2 KB), LDS_BENCH_EVTX_FOLDER_FILES (400), LDS_BENCH_SEED (1).
 */

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseSize } from "../src/cli/parse-size.js";
import { BUNDLED_CLI, evtxFolder } from "./check-speed.js";
import { DATA_DIR, smallFilesDir } from "./data-store.js";
import { machineInfo } from "./machine-info.js";
import { interleave, median } from "./measure.js";
import { checkCliRun, runProcess, which } from "./processes.js";

const rounds = Math.max(3, Number(process.argv[2] ?? 7));
const members = Number(process.env.LDS_BENCH_ZIP_MEMBERS || 20_000);
const memberSize = parseSize(process.env.LDS_BENCH_ZIP_MEMBER_SIZE || "4k") ?? 4096;
const seed = Number(process.env.LDS_BENCH_SEED || 1);
const before = process.env.LDS_BENCH_BEFORE_CLI;

/** One CLI run on `args` (new process, default options but those in `args`), its match count checked. */
function cli(cliPath: string, label: string, args: string[], matches: number) {
  return async () => {
    const r = await runProcess(process.execPath, [cliPath, "scan", ...args, "--no-progress", "--format", "jsonl"], {
      discardStdout: true,
    });
    checkCliRun(r, matches, `${label} on ${args.join(" ")}`);
  };
}

/** One dataset: a folder, the same files zipped by Info-ZIP, and how many hits they hold. */
interface Dataset {
  label: string;
  folder: string;
  files: number;
  bytes: number;
  hits: number;
  zip: string;
}

/** Zips `folder` with Info-ZIP (`zip -q -r`), once, beside the bench data. */
function zipOf(zipTool: string, folder: string, name: string): string {
  const zip = join(DATA_DIR, name);
  if (!existsSync(zip) || statSync(zip).mtimeMs < statSync(folder).mtimeMs) {
    execFileSync(zipTool, ["-q", "-r", zip, "."], { cwd: folder });
  }
  return zip;
}

async function measure(dataset: Dataset, unzip: string | undefined): Promise<void> {
  const { folder, zip, hits } = dataset;
  console.log("");
  console.log(
    `## ${dataset.label}: ${dataset.files} files, ${(dataset.bytes / 1e6).toFixed(1)} MB (${hits} hits); zip ${(statSync(zip).size / 1e6).toFixed(1)} MB; ${rounds} rounds`,
  );
  const subjects = [
    { name: "CLI on the folder", fn: cli(BUNDLED_CLI, "CLI", [folder], hits) },
    { name: "CLI on the zip", fn: cli(BUNDLED_CLI, "CLI", [zip], hits) },
    { name: "CLI -j 1 on the zip", fn: cli(BUNDLED_CLI, "CLI -j 1", [zip, "-j", "1"], hits) },
  ];
  if (before !== undefined) subjects.push({ name: "before: CLI on the zip", fn: cli(before, "before", [zip], hits) });
  if (unzip !== undefined) {
    subjects.push({
      name: "unzip -p ZIP > /dev/null",
      fn: async () => {
        const r = await runProcess(unzip, ["-p", zip], { discardStdout: true });
        if (r.status !== 0) throw new Error(`unzip -p ${zip}: exit ${r.status ?? r.signal}`);
      },
    });
  }
  const times = await interleave(subjects, rounds);
  const folderMs = median(times.get("CLI on the folder") ?? []);
  console.log("");
  console.log("| subject | median ms | per file (µs) | / CLI on the folder |");
  console.log("|---|---:|---:|---:|");
  for (const s of subjects) {
    const ms = median(times.get(s.name) ?? []);
    console.log(
      `| ${s.name} | ${ms.toFixed(0)} | ${((ms * 1000) / dataset.files).toFixed(0)} | ${(ms / folderMs).toFixed(2)}× |`,
    );
  }
}

async function main(): Promise<void> {
  for (const line of machineInfo()) console.log(`# ${line}`);
  if (!existsSync(BUNDLED_CLI)) throw new Error(`${BUNDLED_CLI} is missing: run npm run build`);
  const zipTool = which("zip");
  if (zipTool === undefined) throw new Error("zip is not installed (Debian package zip)");
  const small = await smallFilesDir(
    { format: "xml", count: members, size: memberSize, seed, hitsPerGb: 2 ** 30 / (256 * 1024) },
    "zip-members",
  );
  const evtx = evtxFolder(Number(process.env.LDS_BENCH_EVTX_FOLDER_FILES || 400), seed);
  const datasets: Dataset[] = [
    {
      label: "small text files",
      folder: small.path,
      files: small.files ?? members,
      bytes: small.bytes,
      hits: small.hits,
      zip: zipOf(zipTool, small.path, `zip-members-${members}x${memberSize}.zip`),
    },
    {
      label: "the real-sized EVTX folder",
      folder: evtx.path,
      files: readdirSync(evtx.path).length,
      bytes: evtx.manifest.bytes,
      hits: evtx.manifest.matches,
      zip: zipOf(zipTool, evtx.path, `${basename(evtx.path)}.zip`),
    },
  ];
  for (const dataset of datasets) await measure(dataset, which("unzip"));
}

main().catch((err: unknown) => {
  console.error(`zip-members-bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
