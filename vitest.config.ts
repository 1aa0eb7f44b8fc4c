import { defineConfig } from "vitest/config";

/**
 * Two projects: `unit` (in-process tests, fast: run it while working) and `e2e` (the CLI as a
 * user runs it, worker pools, the real corpus, the benchmark check, long property runs).
 * `npm test` runs both.
 */
const E2E = [
  "test/cli*.test.ts",
  "test/corpus.test.ts",
  "test/evtx-evtxexport.test.ts",
  "test/generate-command.test.ts",
  "test/generate-corpus.test.ts",
  "test/bench-check.test.ts",
  "test/parallel-scan.test.ts",
  "test/wasm-property.test.ts",
  "test/remote-*.test.ts",
  "test/cluster*.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The machine has 2 cores; CLI tests spawn processes of their own.
    maxWorkers: 2,
    globalSetup: ["test/helpers/debug-wasm.ts"],
    projects: [
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: E2E } },
      { extends: true, test: { name: "e2e", include: E2E } },
    ],
  },
});
