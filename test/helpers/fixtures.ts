/**
 * Fixture set-up the test files share: the public corpus beside the checkout (../shared/corpus,
 * absent on a user's clone: tests skip with a message) and scratch directories removed after
 * the file's tests.
 */

import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { CORPUS } from "./cli.js";

export { CORPUS, HAVE_CORPUS } from "./cli.js";

/** A folder of the corpus (`evtx`, `archives`, ...), absolute. */
export function corpusDir(folder: string): string {
  return join(CORPUS, folder);
}

/** Names of the files in a corpus folder that end with `suffix` (all when empty), sorted; none when it is absent. */
export function corpusFileNames(folder: string, suffix = ""): string[] {
  const dir = corpusDir(folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort();
}

/** A fresh temporary directory, removed once the calling test file's tests are done. */
export function scratchDir(prefix = "lds-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
