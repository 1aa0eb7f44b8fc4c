#!/usr/bin/env node
/**
 * The `lsass-dump-scan` command. Thin: parses argv with commander, hands validated options to
 * the library, and turns every user mistake into one line on stderr and exit status 2 (never
 * a stack trace).
 */

import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { describeError, ScanError } from "../errors.js";
import { beginIdleSample } from "../pool/idle-cores.js";
import { registerDeliverCommand } from "./deliver-command.js";
import { EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_TROUBLE } from "./exit-status.js";
import { registerGenerateCommand } from "./generate-command.js";
import { runScan, scanCommand, scanOptionsFrom } from "./scan-command.js";
import { registerServeCommand } from "./serve-command.js";
import { registerWorkerCommand } from "./worker-command.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  // The scan's pool decision reads the machine's idle cores since now (pool/idle-cores.ts).
  beginIdleSample();
  let status = 0;
  const program = new Command("lsass-dump-scan")
    .description(
      "Find Task Manager dumping lsass.exe memory (Splunk 'Creation of lsass Dump with Taskmgr', ATT&CK T1003.001) in Sysmon logs.",
    )
    .version(version(), "-V, --version")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError("(run with --help for usage)");
  const scan = scanCommand()
    .exitOverride()
    .action(async (inputs: string[], raw: Record<string, unknown>) => {
      status = await runScan(inputs, scanOptionsFrom(raw));
    });
  program.addCommand(scan);
  registerGenerateCommand(program);
  registerServeCommand(program);
  registerDeliverCommand(program, (s) => {
    status = s;
  });
  registerWorkerCommand(program, (s) => {
    status = s;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return status;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : EXIT_TROUBLE;
    }
    if (err instanceof ScanError) {
      process.stderr.write(`lsass-dump-scan: ${err.message}\n`);
      return EXIT_TROUBLE;
    }
    process.stderr.write(`lsass-dump-scan: internal error: ${describeError(err)}\n`);
    if (process.env.LSASS_DUMP_SCAN_DEBUG) console.error(err);
    return EXIT_TROUBLE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Interrupted (Ctrl-C, SIGTERM): a task abandoned mid-read may still hold the event loop;
    // leave once the rows found so far are written.
    if (code === EXIT_INTERRUPTED || code === EXIT_TERMINATED) process.stdout.write("", () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`lsass-dump-scan: internal error: ${describeError(err)}\n`);
    process.exitCode = EXIT_TROUBLE;
  },
);
