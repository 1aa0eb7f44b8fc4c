/**
 * `npm run bench:compare-clis`: issue 12's before/after table of the command line, in one run
 * (bench/compare-builds.ts does the same for the engine in process). Two builds of the
 * CLI (this one's bundle and an older one's, LDS_BENCH_BEFORE_CLI=path/to/dist/bin/
 * lsass-dump-scan.js, built from a checkout of the commit to compare with) and the tools a user
 * compares them with (`node -e 0`, `cat`, `rg -c -i lsass`) are run as new processes in
 * interleaved rounds (one run of each per round, order rotated) on each of issue 12's inputs,
 * files in page cache: a 1 KB XML file (start-up), the real-sized EVTX folder, 2 GiB of XML,
 * 1 GiB of ECS JSON and 1 GiB of flat (NXLog) JSON. Each CLI runs with default options and
 * with `-j 1`. Every CLI run's match count is checked. Prints one Markdown table of medians.
 *
 * Environment: LDS_BENCH_BEFORE_CLI (required), LDS_BENCH_SAMPLES (rounds, default 7),
 * LDS_BENCH_EVTX_FOLDER_FILES (400), LDS_BENCH_SEED (1).
 */

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensureBuildLinks } from "./build-links.js";
import { BUNDLED_CLI, evtxFolder } from "./check-speed.js";
import { DATA_DIR, textCorpusFile } from "./data-store.js";
import { machineInfo } from "./machine-info.js";
import { interleave, median } from "./measure.js";
import { checkCliRun, runProcess, which } from "./processes.js";

interface Input {
  name: string;
  paths: string[];
  bytes: number;
  matches: number;
  /** A text log (rg can read it). */
  text?: boolean;
}

interface Subject {
  name: string;
  run(input: Input): Promise<void>;
}

const before = process.env.LDS_BENCH_BEFORE_CLI;
const rounds = Math.max(3, Number(process.env.LDS_BENCH_SAMPLES || 7));
const seed = Number(process.env.LDS_BENCH_SEED || 1);

function cli(label: string, path: string, extra: string[]): Subject {
  return {
    name: `${label}${extra.length > 0 ? ` ${extra.join(" ")}` : ""}`,
    async run(input) {
      const r = await runProcess(
        process.execPath,
        [path, "scan", ...input.paths, "--no-progress", "--format", "jsonl", ...extra],
        { discardStdout: true },
      );
      checkCliRun(r, input.matches, `${label} on ${input.name}`);
    },
  };
}

function tool(name: string, command: string, args: (input: Input) => string[]): Subject {
  return {
    name,
    async run(input) {
      const r = await runProcess(command, args(input), { discardStdout: true });
      if (r.status !== 0) throw new Error(`${name}: exit status ${r.status}: ${r.stderr}`);
    },
  };
}

async function inputs(): Promise<Input[]> {
  const startup = join(DATA_DIR, "startup-1k.xml");
  if (!existsSync(startup))
    throw new Error(`${startup} is missing: run LDS_BENCH_CHECK_PARTS=startup npm run bench:check once`);
  const folder = evtxFolder(Number(process.env.LDS_BENCH_EVTX_FOLDER_FILES || 400), seed);
  const text = async (format: "xml" | "ecs" | "flat", size: number, name: string): Promise<Input> => {
    const f = await textCorpusFile({ format, size, seed, hitsPerGb: 64 }, "text");
    return { name, paths: [f.path], bytes: f.bytes, matches: f.hits, text: true };
  };
  return [
    { name: "1 KB XML (start-up)", paths: [startup], bytes: 1114, matches: 0 },
    {
      name: `EVTX folder (${readdirSync(folder.path).length} files)`,
      paths: [folder.path],
      bytes: folder.manifest.bytes,
      matches: folder.manifest.matches,
    },
    await text("xml", 2 * 2 ** 30, "2 GiB XML"),
    await text("ecs", 2 ** 30, "1 GiB ECS JSON"),
    await text("flat", 2 ** 30, "1 GiB flat JSON"),
  ];
}

async function main(): Promise<void> {
  if (before === undefined || !existsSync(before)) {
    throw new Error("set LDS_BENCH_BEFORE_CLI to the older build's dist/bin/lsass-dump-scan.js");
  }
  ensureBuildLinks();
  for (const line of machineInfo()) process.stderr.write(`bench:compare-clis: ${line}\n`);
  const subjects: Subject[] = [
    tool("node -e 0", process.execPath, () => ["-e", "0"]),
    tool("cat", "cat", (input) => input.paths.flatMap((p) => (statSync(p).isDirectory() ? files(p) : [p]))),
    ...(which("rg") === undefined
      ? []
      : [tool("rg -c -i lsass", "rg", (input) => ["-c", "-i", "lsass", ...input.paths])]),
    cli("before", before, []),
    cli("before", before, ["-j", "1"]),
    cli("after", BUNDLED_CLI, []),
    cli("after", BUNDLED_CLI, ["-j", "1"]),
  ];
  const rows: string[] = [];
  for (const input of await inputs()) {
    process.stderr.write(`bench:compare-clis: ${input.name}\n`);
    // rg is for text (EVTX is UTF-16 in a binary file, which rg skips), and exits 1 on a
    // file without lsass, as the start-up file is: it sits those out.
    const here = subjects.filter((s) => !(s.name.startsWith("rg") && (input.matches === 0 || input.text !== true)));
    const times = await interleave(
      here.map((s) => ({ name: s.name, fn: () => s.run(input) })),
      rounds,
    );
    for (const s of here) {
      const ms = median(times.get(s.name) ?? []);
      const speed = input.bytes > 10_000 && s.name !== "node -e 0" ? `${(input.bytes / ms / 1e6).toFixed(2)} GB/s` : "";
      rows.push(`| ${input.name} | ${s.name} | ${ms.toFixed(0)} ms | ${speed} |`);
    }
  }
  process.stdout.write(`| input | subject | median wall | speed |\n| --- | --- | --- | --- |\n${rows.join("\n")}\n`);
}

function files(folder: string): string[] {
  return readdirSync(folder).map((f) => join(folder, f));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:compare-clis: FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
