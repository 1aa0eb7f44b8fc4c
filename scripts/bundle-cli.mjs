/**
 * `npm run build:cli`: bundles the command line into dist/bin/ with esbuild, because start-up
 * is measured (bench:check's startup ratio): Node resolving and loading ~80 separate modules
 * and packages took ~150 ms of a 1 KB scan; one file takes a few ms. tsc still builds dist/
 * (types, the library, the pool's unbundled worker for library users).
 *
 * - dist/bin/lsass-dump-scan.js: the bin; dist/bin/worker.js: the pool thread's entry (the
 *   dispatcher finds it beside itself as ./worker.js).
 * - Code splitting keeps what a run may not need (archives, the reference engine, the
 *   generator, the progress bar) in chunks loaded by `await import()` on first use.
 * - piscina stays external: it starts its own worker file from its package folder, and it is
 *   only loaded when a pool is started. undici too: it is loaded only for remote inputs and
 *   alert delivery, and bundled its CommonJS exports lost `Agent` ("Agent is not a constructor").
 *   @node-rs/crc32 is a native addon (a prebuilt .node file per platform), loaded on first use.
 * - The bundle sits two folders below the repository root, like dist/cli/main.js, so its
 *   `new URL("../../build/matcher.wasm", import.meta.url)` and package.json lookups still hold.
 */

import { rmSync } from "node:fs";
import { build } from "esbuild";

// Chunk names change with their content: start clean so no stale chunk ships.
rmSync("dist/bin", { recursive: true, force: true });

await build({
  entryPoints: { "lsass-dump-scan": "src/cli/main.ts", worker: "src/pool/worker.ts" },
  outdir: "dist/bin",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The AWS SDK (S3 inputs), bullmq/ioredis (the cluster) and the 7z/xz/zstd readers (which
  // find their own .wasm beside them) are loaded only when used, and
  // are large packages of their own; they stay in node_modules as well.
  external: [
    "piscina",
    "undici",
    "@node-rs/crc32",
    "@aws-sdk/*",
    "bullmq",
    "ioredis",
    "7z-wasm",
    "xz-decompress",
    "fzstd",
  ],
  // Bundled CommonJS packages (commander, fast-xml-parser, ...) call require() for Node's
  // own modules; an ES module has none, so give each output file one.
  banner: {
    js: 'import { createRequire as __ldsCreateRequire } from "node:module";\nconst require = __ldsCreateRequire(import.meta.url);',
  },
  legalComments: "none",
  logLevel: "warning",
});
