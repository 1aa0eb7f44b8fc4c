/**
 * The worker thread's entry (piscina). Each thread builds its engine once — for the wasm
 * engine, its own instance and memory from the module the coordinator compiled once — and
 * then serves tasks until the pool closes. Workers read their own bytes; nothing but names,
 * offsets and aggregates crosses the thread boundary.
 */

import { workerData } from "piscina";
import type { Engine } from "../engine/engine.js";
import { engineByName } from "../engine/engines.js";
import { expandInputs } from "../scan/inputs.js";
import { newScanResult } from "../scan/scan.js";
import { problemOf, recordStats, scanItem } from "../scan/scan-item.js";
import type { ScanTask, TaskResult, WorkerSetup } from "./task.js";

const setup = workerData as WorkerSetup;
let enginePromise: Promise<Engine> | undefined;

function engine(): Promise<Engine> {
  enginePromise ??= engineByName(setup.engine, { wasmModule: setup.wasmModule, carve: setup.carve });
  return enginePromise;
}

/** Runs one task and returns its aggregates, counters and problems. */
export default async function runTask(task: ScanTask): Promise<TaskResult> {
  const eng = await engine();
  const result = newScanResult();
  const onMatch = result.aggregates.add.bind(result.aggregates);
  switch (task.kind) {
    case "range": {
      try {
        const stats = eng.scanFileRange
          ? await eng.scanFileRange(task.path, task.format, task.start, task.end, onMatch)
          : await eng.scanFile(task.path, task.format, onMatch);
        recordStats(task.name, stats, result);
      } catch (err) {
        result.problem(problemOf(task.name, err));
      }
      break;
    }
    case "batch": {
      for (const file of task.files) {
        try {
          const stats = await eng.scanFile(file.path, file.format, onMatch);
          result.inputsScanned++;
          recordStats(file.name, stats, result);
        } catch (err) {
          result.problem(problemOf(file.name, err));
        }
      }
      break;
    }
    case "archive": {
      for await (const item of expandInputs([task.path])) {
        await scanItem(item, eng, task.inputFormat, result);
      }
      break;
    }
  }
  return {
    entries: result.aggregates.entries(),
    stats: result.stats,
    inputsScanned: result.inputsScanned,
    problems: result.problems,
    skipped: result.skipped,
  };
}
