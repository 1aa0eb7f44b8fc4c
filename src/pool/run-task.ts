/**
 * What a worker does with one task, apart from the thread plumbing (worker.ts): scan a shard,
 * a batch of small files, or an archive, and return aggregates, counters and problems. Also
 * notices a file that changed size between planning and scanning, which would otherwise lose
 * or double-count records silently.
 */

import { statSync } from "node:fs";
import type { Engine, ScanStats } from "../engine/engine.js";
import { newScanResult } from "../scan/scan.js";
import {
  type ItemCollector,
  matchHandlerFor,
  problemOf,
  recordStats,
  scanItem,
  splitArchiveMember,
} from "../scan/scan-item.js";
import { isUrl, plannedLocation } from "../source/byte-source.js";
import type { ScanTask, TaskResult } from "./task.js";

/** Reports a file whose size is no longer the one its tasks were planned with. */
function checkSize(name: string, path: string, planned: number, into: ItemCollector): void {
  if (isUrl(path)) return; // a remote object's reads check its size and ETag themselves
  let now: number;
  try {
    now = statSync(path).size;
  } catch {
    return; // gone: the read itself reported it
  }
  if (now !== planned) {
    const how = now < planned ? "shrank" : "grew";
    into.problem({
      input: name,
      code: "LDS_E_INPUT_UNREADABLE",
      message: `${how} while being scanned (${planned} bytes when planned, ${now} now); records in the changed part may be missed`,
    });
  }
}

/**
 * Runs one task with `engine`; never throws for a bad input (it becomes a problem).
 * `collectHits`: also return every matched event with its input (scan()'s onHit).
 * `betweenFiles`: awaited after each file of a batch (the coordinating thread passes one that
 * lets its event loop turn while a pool runs).
 */
export async function runTask(
  task: ScanTask,
  engine: Engine,
  collectHits = false,
  betweenFiles?: () => Promise<void>,
): Promise<TaskResult> {
  const result = newScanResult();
  if (collectHits) result.hits = [];
  const scanned = async (name: string, scan: () => Promise<ScanStats>): Promise<boolean> => {
    try {
      recordStats(name, await scan(), result);
      return true;
    } catch (err) {
      result.problem(problemOf(name, err));
      return false;
    }
  };
  switch (task.kind) {
    case "range": {
      const { path, format, start, end } = task;
      const location = plannedLocation({ path, name: task.name, size: task.fileSize, etag: task.etag });
      const onMatch = matchHandlerFor(result, task.name);
      const ok = await scanned(task.name, () =>
        engine.scanFileRange
          ? engine.scanFileRange(location, format, start, end, onMatch)
          : engine.scanFile(location, format, onMatch),
      );
      // The shard holding the file's last byte speaks for the whole file's size.
      if (ok && end === task.fileSize) checkSize(task.name, path, task.fileSize, result);
      break;
    }
    case "batch": {
      for (const file of task.files) {
        const onMatch = matchHandlerFor(result, file.name);
        if (await scanned(file.name, () => engine.scanFile(plannedLocation(file), file.format, onMatch))) {
          result.inputsScanned++;
          checkSize(file.name, file.path, file.size, result);
        }
        await betweenFiles?.();
      }
      break;
    }
    case "warmup":
      break;
    case "archive": {
      // Loaded on first use: threads that never open an archive skip yauzl and tar-stream.
      const { expandInputs } = await import("../scan/inputs.js");
      for await (const item of expandInputs([{ path: task.path, name: task.name }], {
        named: task.explicit !== false,
        zipStripe: task.stripe,
      })) {
        await scanItem(item, engine, task.inputFormat, result);
      }
      if (result.hits !== undefined) result.hits = result.hits.map((h) => splitArchiveMember(h, task.name, task.path));
      break;
    }
  }
  return {
    entries: result.aggregates.entries(),
    stats: result.stats,
    inputsScanned: result.inputsScanned,
    problems: result.problems,
    warnings: result.warnings,
    skipped: result.skipped,
    malformed: result.malformed,
    hits: result.hits,
  };
}
