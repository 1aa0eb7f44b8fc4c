/**
 * Rows to a file (`--output`). The path is checked before the scan ({@link checkFileSinkPath}),
 * so a typo costs no scan; the file is written whole when the sink closes (a half-written
 * table is worse than none). Failures reject with ScanError LDS_E_SINK naming the file.
 */

import { constants, fstatSync } from "node:fs";
import { access, open, realpath, stat, writeFile } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { describeError, ScanError } from "../errors.js";
import type { RowFormat } from "./row-format.js";
import { TextRowSink } from "./text-sink.js";

function cannotWrite(path: string, why: string, cause?: unknown): ScanError {
  return new ScanError("LDS_E_SINK", `${path}: cannot write output: ${why}`, undefined, { cause });
}

/**
 * Checks, without creating or changing anything, that `path` can be written: an existing file
 * we may write, or a new name in an existing directory we may write. Rejects with ScanError
 * LDS_E_SINK naming the path otherwise.
 *
 * @example
 * ```ts
 * await checkFileSinkPath("alerts.jsonl"); // before the scan: a typo costs no scan
 * ```
 */
export async function checkFileSinkPath(path: string): Promise<void> {
  let existing: Awaited<ReturnType<typeof stat>> | undefined;
  try {
    existing = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw cannotWrite(path, describeError(err), err);
  }
  if (existing?.isDirectory()) throw cannotWrite(path, "is a directory");
  const target = existing === undefined ? dirname(resolve(path)) : path;
  try {
    if (existing === undefined && !(await stat(target)).isDirectory())
      throw cannotWrite(path, `${target} is not a directory`);
    await access(target, constants.W_OK);
  } catch (err) {
    if (err instanceof ScanError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw cannotWrite(path, code === "ENOENT" ? `no such directory ${target}` : describeError(err), err);
  }
}

/**
 * How every output format of ours begins (rows and `--events`, empty or not): table, jsonl,
 * json, csv. A file in a scanned folder that begins otherwise is not an earlier run's output.
 */
const OUR_OUTPUT =
  /^(?:$|Creation of lsass Dump with Taskmgr|No alerts\.|No events\.|\{"(?:dest|time)":|\[\s*(?:\]|\{\s*"(?:dest|time)":)|dest,object_category,|time,input,)/;

/**
 * Rejects with ScanError LDS_E_SINK when the existing file at `output` is one of `inputs`
 * (the same file by device and inode: named twice, through a link, or standard input `-`
 * redirected from it): writing the rows would replace the log just scanned. Also when it lies
 * in a scanned folder (where it is left out of the scan) and is not empty nor an earlier run's
 * output: a log there would be replaced unread. URLs and names that do not exist pass.
 *
 * @example
 * ```ts
 * await checkOutputIsNotAnInput("alerts.csv", ["logs/sysmon.evtx", "-"]);
 * ```
 */
export async function checkOutputIsNotAnInput(output: string, inputs: readonly string[]): Promise<void> {
  let out: Awaited<ReturnType<typeof stat>>;
  try {
    out = await stat(output);
  } catch {
    return;
  }
  if (!out.isFile()) return;
  for (const input of inputs) {
    let file: { dev: number; ino: number } | undefined;
    try {
      file = input === "-" ? fstatSync(0) : /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? undefined : await stat(input);
    } catch {
      file = undefined;
    }
    if (file !== undefined && file.dev === out.dev && file.ino === out.ino)
      throw cannotWrite(
        output,
        `it is also an input${input === "-" ? " (standard input)" : input === output ? "" : ` (${input})`}, and the rows would replace it`,
      );
  }
  const folder = await scannedFolderHolding(output, inputs);
  if (folder !== undefined && !OUR_OUTPUT.test(await headOf(output)))
    throw cannotWrite(
      output,
      `it is a file in the scanned folder ${folder} and not rows this command wrote, so it would be replaced unread; name a new file`,
    );
}

/** The first folder among `inputs` that holds `file` (at any depth), by real path. */
async function scannedFolderHolding(file: string, inputs: readonly string[]): Promise<string | undefined> {
  const real = await realpath(file).catch(() => undefined);
  if (real === undefined) return undefined;
  for (const input of inputs) {
    if (input === "-" || /^[a-z][a-z0-9+.-]*:\/\//i.test(input)) continue;
    const folder = await realpath(input).catch(() => undefined);
    if (folder === undefined || !(await stat(folder)).isDirectory()) continue;
    if (real.startsWith(folder.endsWith(sep) ? folder : folder + sep)) return input;
  }
  return undefined;
}

/** The first 256 bytes of a file as text. */
async function headOf(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}

/**
 * A sink that writes rows in `format` to the file at `path`, replacing it.
 *
 * @example
 * ```ts
 * const sink = createFileSink("alerts.csv", "csv");
 * await sink.write(rows);
 * const { delivered } = await sink.close();
 * ```
 */
export function createFileSink(path: string, format: RowFormat): TextRowSink {
  const parts: string[] = [];
  return new TextRowSink(
    path,
    format,
    async (text) => {
      parts.push(text);
    },
    async () => {
      await writeFile(path, parts.join(""));
    },
  );
}
