/**
 * The browser page against the CLI on the same machine (issue 15): 512 MiB of generated XML and
 * a folder of 400 EVTX files (bench/evtx-bench-data.ts), each scanned by `lsass-dump-scan scan`
 * (wall time of the process) and by the page in headless chromium (the page's own clock, from
 * the files handed over to the rows shown; workers already started). Both answers are checked
 * equal (the page's JSONL download against the CLI's stdout) before any time counts. Medians.
 *
 *   npm run bench:browser [-- xmlMiB evtxFiles runs]   (defaults 512 400 3)
 */

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { download, openPage, scanInPage } from "../test/helpers/browser.js";
import { DATA_DIR, REPO_ROOT, textCorpusFile } from "./data-store.js";
import { buildBenchFolder } from "./evtx-bench-data.js";

const MIB = 1024 * 1024;
const xmlMiB = Number(process.argv[2] ?? 512);
const evtxFiles = Number(process.argv[3] ?? 400);
const runs = Number(process.argv[4] ?? 3);
const CLI = join(REPO_ROOT, "dist", "cli", "main.js");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function cliScan(files: readonly string[]): { seconds: number; stdout: string } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, "scan", ...files, "--format", "jsonl", "-q"], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`the CLI failed (${r.status}): ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

function evtxFolder(): string[] {
  const dir = join(DATA_DIR, `browser-evtx-${evtxFiles}`);
  if (!existsSync(join(dir, "manifest.json"))) buildBenchFolder(dir, evtxFiles);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".evtx"))
    .map((f) => join(dir, f));
}

async function main(): Promise<void> {
  const xml = await textCorpusFile({ format: "xml", size: xmlMiB * MIB, seed: 1, hitsPerGb: 64 }, "browser");
  const cases = [
    { name: `XML, one file of ${xmlMiB} MiB`, files: [xml.path] },
    { name: `EVTX, a folder of ${evtxFiles} files`, files: evtxFolder() },
  ];
  const session = await openPage(CLI);
  const cores = (await session.page.evaluate("navigator.hardwareConcurrency")) as number;
  const lines: string[] = [];
  try {
    for (const c of cases) {
      const bytes = c.files.reduce((n, f) => n + statSync(f).size, 0);
      for (const f of c.files) readFileSync(f); // into the page cache, for both
      const cli = cliScan(c.files);
      await scanInPage(session, c.files, 600_000);
      const page = (await download(session, "#download-jsonl", "lsass-dump-scan.jsonl")).toString("utf8");
      if (page !== cli.stdout) throw new Error(`${c.name}: the page's rows differ from the CLI's`);
      const cliTimes: number[] = [];
      const pageTimes: number[] = [];
      for (let i = 0; i < runs; i++) {
        cliTimes.push(cliScan(c.files).seconds);
        await scanInPage(session, c.files, 600_000);
        pageTimes.push(Number(await session.page.evaluate("document.body.dataset.seconds")));
      }
      const gbps = (s: number) => bytes / 1e9 / s;
      const cliS = median(cliTimes);
      const pageS = median(pageTimes);
      lines.push(
        `| ${c.name} (${(bytes / 1e9).toFixed(2)} GB, ${cli.stdout.split("\n").length - 1} rows) | ${gbps(cliS).toFixed(2)} | ${gbps(pageS).toFixed(2)} | ${(cliS / pageS).toFixed(2)}x |`,
      );
      process.stderr.write(
        `${c.name}: CLI ${cliTimes.map((t) => t.toFixed(2))} s, page ${pageTimes.map((t) => t.toFixed(2))} s\n`,
      );
    }
  } finally {
    await session.close();
  }
  const [l1, l5] = loadavg();
  console.log(
    `Browser page vs CLI: ${cpus()[0]?.model ?? "?"} (${availableParallelism()} cores; page sees ${cores}), Node ${process.version}, ${new Date().toISOString()}, load ${l1?.toFixed(1)}/${l5?.toFixed(1)}, median of ${runs}`,
  );
  console.log("");
  console.log("| case | CLI GB/s | page GB/s | page / CLI |");
  console.log("|---|---|---|---|");
  for (const line of lines) console.log(line);
}

await main();
