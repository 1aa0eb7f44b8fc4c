/**
 * Before/after in one run (issue 12, dense hits): the wasm matcher and the wasm engine of this
 * checkout against those of another built checkout (an older commit: `git archive <commit> |
 * tar -x -C /tmp/base`, link node_modules, `npm run build:wasm && npx tsc -p tsconfig.json`
 * there), on the same generated data, in interleaved rounds (one call of each subject per
 * round), so both sides share the machine's state. Prints a Markdown table of median GB/s.
 *
 *   npm run build:bench && node dist-bench/bench/compare-builds.js /tmp/base
 *
 * "matcher": a TextSearcher over data already in the matcher's input region (the "wasm
 * matcher" column of bench/matcher.bench.ts); "engine": Engine.scanStream of the data as one
 * in-memory chunk, copied into 4 MiB blocks (its "wasm engine" column). Environment:
 * LDS_COMPARE_SIZE (MiB per dataset, 64), LDS_COMPARE_ROUNDS (15), LDS_COMPARE_FORMATS
 * (xml,flat,ecs).
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateBuffer } from "../src/generate/index.js";
import { REPO_ROOT } from "./data-store.js";
import { median } from "./measure.js";

/** What is used of one checkout's dist/ (an older one may differ in anything else). */
interface Side {
  // biome-ignore lint/suspicious/noExplicitAny: modules of another checkout, whatever their types
  Matcher: any;
  // biome-ignore lint/suspicious/noExplicitAny: same
  TextSearcher: any;
  // biome-ignore lint/suspicious/noExplicitAny: same
  emptyStats: any;
  // biome-ignore lint/suspicious/noExplicitAny: same
  createWasmEngine: any;
  module: WebAssembly.Module;
}

async function side(root: string): Promise<Side> {
  const load = (path: string) => import(join(root, "dist", path));
  return {
    Matcher: (await load("wasm/matcher.js")).Matcher,
    TextSearcher: (await load("engine/text-searcher.js")).TextSearcher,
    emptyStats: (await load("engine/engine.js")).emptyStats,
    createWasmEngine: (await load("engine/wasm-engine.js")).createWasmEngine,
    module: new WebAssembly.Module(readFileSync(join(root, "build", "matcher.wasm"))),
  };
}

const other = process.argv[2];
if (other === undefined) throw new Error("usage: compare-builds.js <another built checkout>");
const size = Number(process.env.LDS_COMPARE_SIZE ?? 64) * 2 ** 20;
const rounds = Number(process.env.LDS_COMPARE_ROUNDS ?? 15);
const formats = (process.env.LDS_COMPARE_FORMATS ?? "xml,flat,ecs").split(",");
const sides = { before: await side(other), after: await side(REPO_ROOT) };

console.log(
  `before: ${other}, after: ${REPO_ROOT}; node ${process.version}; ${size / 2 ** 20} MiB a dataset, ${rounds} rounds`,
);
console.log("");
console.log(
  "| dataset | matcher before | matcher after | after/before | engine before | engine after | after/before |",
);
console.log("|---|---|---|---|---|---|---|");
for (const format of formats) {
  for (const [density, hitsPerGb] of [
    ["none", 0],
    ["dense", 2 ** 30 / 10240],
  ] as const) {
    const data = generateBuffer({ format: format as "xml", size, seed: 1, hitsPerGb });
    const bytes = data.buffer;
    const subjects = new Map<string, () => Promise<number> | number>();
    for (const [name, s] of Object.entries(sides)) {
      const matcher = new s.Matcher(s.module, bytes.length + 1);
      matcher.input.set(bytes);
      subjects.set(`${name}.matcher`, () => {
        const stats = s.emptyStats();
        const searcher = new s.TextSearcher(matcher, format, () => {}, stats);
        searcher.commit(bytes.length);
        searcher.finish();
        return stats.matches as number;
      });
      const engine = s.createWasmEngine({ module: s.module });
      subjects.set(`${name}.engine`, async () => {
        let n = 0;
        await engine.scanStream(
          (async function* () {
            yield bytes;
          })(),
          format,
          () => n++,
        );
        return n;
      });
    }
    const times = new Map<string, number[]>([...subjects.keys()].map((k) => [k, []]));
    for (const [name, fn] of subjects) {
      const n = await fn();
      if (n !== data.hits)
        throw new Error(`wrong answer: ${name}, ${format} ${density}: ${n} matches, expected ${data.hits}`);
    }
    for (let r = 0; r < rounds; r++) {
      for (const [name, fn] of subjects) {
        const started = performance.now();
        await fn();
        times.get(name)?.push(performance.now() - started);
      }
    }
    const gbps = (name: string) => bytes.length / median(times.get(name) ?? []) / 1e6;
    const cell = (what: string) => {
      const [b, a] = [gbps(`before.${what}`), gbps(`after.${what}`)];
      return `${b.toFixed(2)} | ${a.toFixed(2)} | ${(a / b).toFixed(2)}×`;
    };
    console.log(`| ${format} ${density} (${data.hits} hits) | ${cell("matcher")} | ${cell("engine")} |`);
  }
}
