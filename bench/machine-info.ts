/**
 * What a result depends on besides the code: CPU, cores, memory, Node and the versions of the
 * packages that matter for speed. Printed above every table and recorded in bench/RESULTS.md.
 */

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./data-store.js";

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return "?";
  }
}

function command(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Lines describing this machine and software, one fact each. */
export function machineInfo(): string[] {
  const lscpu = command("lscpu", []);
  const model = /^Model name:\s*(.+)$/m.exec(lscpu ?? "")?.[1] ?? cpus()[0]?.model ?? "?";
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { name: string; version: string };
  const commit = command("git", ["-C", REPO_ROOT, "rev-parse", "--short", "HEAD"]);
  const dirty = command("git", ["-C", REPO_ROOT, "status", "--porcelain", "--untracked-files=no"]);
  const tools = ["rg", "gzip"]
    .map((tool) => {
      const v = command(tool, ["--version"])?.split("\n")[0];
      return v === undefined ? `${tool}: not installed` : v;
    })
    .join("; ");
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${model}, ${availableParallelism()} cores (nproc), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`,
    `node ${process.version}; ${pkg.name} ${pkg.version} at ${commit ?? "?"}${dirty ? " (with uncommitted changes)" : ""}`,
    `assemblyscript ${packageVersion("assemblyscript")}, piscina ${packageVersion("piscina")}, tinybench ${packageVersion("tinybench")}, typescript ${packageVersion("typescript")}`,
    `tools: ${tools}`,
  ];
}
