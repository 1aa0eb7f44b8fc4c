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
import { terminalText } from "../sinks/row-format.js";
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

/** Set when help or the version could not be written (`--help > /dev/full`, `--help | head -1`). */
let helpUnwritten = false;

/**
 * Help and version text to stdout, as commander's writeOut: a failed write is one line naming
 * stdout and exit status 2, as for rows (README "Safe output"), never an unhandled 'error'.
 */
function writeHelp(text: string): void {
  if (!helpUnwritten) process.stdout.on("error", () => {});
  process.stdout.write(text, (err) => {
    if (err === undefined || err === null || helpUnwritten) return;
    helpUnwritten = true;
    process.stderr.write(`lsass-dump-scan: stdout: cannot write output: ${describeError(err)}\n`);
    process.exitCode = EXIT_TROUBLE;
  });
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  // The scan's pool decision reads the machine's idle cores since now (pool/idle-cores.ts).
  beginIdleSample();
  let status = 0;
  // Commander quotes what was typed (`unknown option '...'`): escaped like every name we print.
  const output = {
    writeErr: (s: string) => process.stderr.write(s.split("\n").map(terminalText).join("\n")),
    writeOut: writeHelp,
  };
  const program = new Command("lsass-dump-scan")
    .description(
      "Find Task Manager dumping lsass.exe memory (Splunk 'Creation of lsass Dump with Taskmgr', ATT&CK T1003.001) in Sysmon logs.",
    )
    .version(version(), "-V, --version")
    .exitOverride()
    .configureOutput(output)
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
  // Commands made apart and added (scan, deliver, worker, serve) do not inherit it.
  for (const command of program.commands) command.configureOutput(output);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return status;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : EXIT_TROUBLE;
    }
    if (err instanceof ScanError) {
      process.stderr.write(`lsass-dump-scan: ${terminalText(err.message)}\n`);
      return EXIT_TROUBLE;
    }
    process.stderr.write(`lsass-dump-scan: internal error: ${terminalText(describeError(err))}\n`);
    if (process.env.LSASS_DUMP_SCAN_DEBUG) console.error(err);
    return EXIT_TROUBLE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = helpUnwritten ? EXIT_TROUBLE : code;
    // Interrupted (Ctrl-C, SIGTERM): a task abandoned mid-read may still hold the event loop;
    // leave once the rows found so far are written.
    if (code === EXIT_INTERRUPTED || code === EXIT_TERMINATED) process.stdout.write("", () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`lsass-dump-scan: internal error: ${describeError(err)}\n`);
    process.exitCode = EXIT_TROUBLE;
  },
);
