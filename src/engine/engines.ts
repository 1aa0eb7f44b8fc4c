/**
 * Engines by name, for `--engine` and the library API.
 */

import { ScanError } from "../errors.js";
import type { Engine, EngineName } from "./engine.js";

/** Names `--engine` accepts; the first is the default. */
export const ENGINE_NAMES: readonly EngineName[] = ["wasm", "reference"];

/** The default engine's name: the fast one. */
export const DEFAULT_ENGINE: EngineName = "wasm";

/** What building an engine may need. */
export interface EngineSetup {
  /** The compiled matcher to instantiate (compiled once, shared by all threads). */
  wasmModule?: WebAssembly.Module | undefined;
  /** EVTX slack carving on. */
  carve?: boolean | undefined;
}

/**
 * Returns the engine of that name. Each engine's module is loaded only when asked for: a worker
 * thread that runs the wasm engine never loads the XML parser, which shortens pool start-up.
 *
 * @example
 * ```ts
 * const engine = await engineByName("reference"); // the oracle: parses every record
 * ```
 */
export async function engineByName(name: EngineName, setup: EngineSetup = {}): Promise<Engine> {
  if (name === "reference") {
    const { createReferenceEngine } = await import("./reference-engine.js");
    return createReferenceEngine({ carve: setup.carve });
  }
  if (name === "wasm") {
    const { createWasmEngine } = await import("./wasm-engine.js");
    return createWasmEngine({ module: setup.wasmModule, carve: setup.carve });
  }
  throw new ScanError("LDS_E_USAGE", `unknown engine "${name}" (use ${ENGINE_NAMES.join(" or ")})`);
}
