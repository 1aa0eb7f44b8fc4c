/**
 * The worker thread's entry (piscina). Each thread builds its engine once — for the wasm
 * engine, its own instance and memory from the module the coordinator compiled once — and
 * then serves tasks until the pool closes. Workers read their own bytes; nothing but names,
 * offsets and aggregates crosses the thread boundary.
 */

import { workerData } from "piscina";
import type { Engine } from "../engine/engine.js";
import { engineByName } from "../engine/engines.js";
import { runTask } from "./run-task.js";
import type { ScanTask, TaskResult, WorkerSetup } from "./task.js";

const setup = workerData as WorkerSetup;
// Built as the thread starts, so instantiation overlaps with the coordinator's planning.
const engine: Promise<Engine> = engineByName(setup.engine, { wasmModule: setup.wasmModule, carve: setup.carve });

/** Runs one task on this thread's engine. */
export default async function workerTask(task: ScanTask): Promise<TaskResult> {
  return runTask(task, await engine, setup.collectHits === true);
}
