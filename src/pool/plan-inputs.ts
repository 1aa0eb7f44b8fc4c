/**
 * The walk in front of the planner, shared by the local pool (parallel-scan.ts) and the
 * cluster coordinator (src/cluster/): inputs are walked and sniffed without opening archives,
 * and each becomes tasks (TaskPlanner) or an item the caller scans where it is (standard input,
 * a remote object from a server without ranges, a problem, a skip, a file of unknown format).
 * One walk for both, so a cluster plans exactly the tasks a local scan would.
 */

import { ScanError } from "../errors.js";
import { detectLogFormat, forcedFormatMismatch, type LogFormat } from "../formats/log-format.js";
import { archiveKindOf } from "../scan/archive-kind.js";
import { endOnAbort } from "../scan/end-on-abort.js";
import { expandInputs, type InputItem } from "../scan/inputs.js";
import { utf16BomOf } from "../scan/utf16-text.js";
import type { TaskPlanner } from "./plan.js";
import type { ScanTask } from "./task.js";

/** One step of the walk: tasks to run, or an item to scan here. */
export type PlanStep =
  | {
      kind: "tasks";
      tasks: ScanTask[];
      /** True when these are the shards of one file (it counts as one input scanned). */
      sharded: boolean;
    }
  | {
      kind: "local";
      item: InputItem;
      /** The format to read it as; undefined lets the scan detect it (or record the skip or problem). */
      format: LogFormat | undefined;
    };

/** Walks `inputs` and plans them with `planner`, in input order; ends with the last batch. */
export async function* planInputs(
  inputs: readonly string[],
  planner: TaskPlanner,
  options: {
    inputFormat?: LogFormat | undefined;
    stdin?: NodeJS.ReadableStream | undefined;
    /** Paths not to scan (the output file, when it lies in a scanned folder). */
    exclude?: readonly string[] | undefined;
    /** Ctrl-C: standard input ends here at once (what was read is still scanned). */
    signal?: AbortSignal | undefined;
  },
): AsyncGenerator<PlanStep> {
  const stdin =
    options.signal === undefined ? options.stdin : endOnAbort(options.stdin ?? process.stdin, options.signal);
  const walk = expandInputs([...inputs], { stdin, expandArchives: false, exclude: options.exclude });
  for await (const item of walk) {
    if (item.kind !== "file") {
      // stdin (and anything else streamed) is read by the caller; problems and skips recorded.
      yield { kind: "local", item, format: options.inputFormat };
      continue;
    }
    const { name, path, size, explicit } = item;
    const archive = archiveKindOf(item.head);
    if (archive !== undefined) {
      yield { kind: "tasks", tasks: planner.add({ name, path, size, archive, explicit }), sharded: false };
      continue;
    }
    const encoding = utf16BomOf(item.head);
    if (encoding !== undefined) {
      // UTF-16 text: transcoded as a stream by one thread, never sharded.
      yield { kind: "tasks", tasks: planner.add({ name, path, size, encoding, explicit }), sharded: false };
      continue;
    }
    const mismatch =
      options.inputFormat === undefined ? undefined : forcedFormatMismatch(options.inputFormat, item.head);
    if (mismatch !== undefined) {
      const error = new ScanError("LDS_E_UNKNOWN_FORMAT", `${name}: ${mismatch}`, name);
      yield { kind: "local", item: { kind: "problem", name, error }, format: undefined };
      continue;
    }
    const format = options.inputFormat ?? detectLogFormat(item.head);
    if (format === undefined) {
      yield { kind: "local", item, format: undefined }; // records the problem or the skip
      continue;
    }
    const tasks = planner.add({ name, path, size, format, etag: item.etag });
    yield { kind: "tasks", tasks, sharded: tasks.some((t) => t.kind === "range" && t.path === path) };
  }
  yield { kind: "tasks", tasks: planner.finish(), sharded: false };
}
