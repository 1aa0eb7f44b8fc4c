/**
 * What the command-line suites share: which engines the CLI is run with (and on how much
 * data: the reference engine gets inputs capped at LDS_BENCH_REFERENCE_MAX_SIZE), and timing
 * a process that must give the right answer.
 */

import type { EngineName } from "../../src/engine/engine.js";
import { measure } from "../measure.js";
import { checkCliRun, cliScanArgs, runProcess } from "../processes.js";
import type { SuiteContext } from "./suite-context.js";

/** One engine the CLI suites run the CLI with. */
export interface CliEngine {
  engine: EngineName;
  label: string;
  /** Inputs are cut down to this many bytes for it. */
  maxSize: number;
}

/** The CLI engines of this run: the fast one when it exists, and the reference one on capped inputs. */
export function cliEngines(context: SuiteContext): CliEngine[] {
  const { engines, config } = context;
  const list: CliEngine[] = [];
  if (engines.wasm !== undefined) {
    list.push({ engine: engines.cliFastEngine, label: engines.fastLabel, maxSize: Number.POSITIVE_INFINITY });
  }
  list.push({ engine: "reference", label: "reference", maxSize: config.referenceMaxSize });
  return list;
}

/** Times the CLI scanning `inputs` (checking its matched-event count); returns the median ms. */
export async function timeCli(
  context: SuiteContext,
  inputs: readonly string[],
  engine: EngineName,
  expectedMatches: number,
  label: string,
): Promise<number> {
  context.progress(label);
  const timing = await measure(
    label,
    async () => {
      const result = await runProcess(process.execPath, cliScanArgs(inputs, engine), { discardStdout: true });
      checkCliRun(result, expectedMatches, label);
    },
    context.processSampling,
  );
  return timing.medianMs;
}

/** Times another tool; it must exit 0 (or one of `okStatus`). Returns the median ms. */
export async function timeTool(
  context: SuiteContext,
  command: string,
  args: readonly string[],
  label: string,
  okStatus: readonly number[] = [0],
): Promise<number> {
  context.progress(label);
  const timing = await measure(
    label,
    async () => {
      const result = await runProcess(command, args, { discardStdout: true });
      if (result.status === null || !okStatus.includes(result.status)) {
        throw new Error(`${label}: exit status ${result.status ?? result.signal}: ${result.stderr.trim()}`);
      }
    },
    context.processSampling,
  );
  return timing.medianMs;
}
