/**
 * From another project (issue 11): `npm pack`, install the tarball into a fresh folder offline,
 * and compile a strict TypeScript program that uses every export (test/fixtures/consumer/)
 * against the packed .d.ts, then run it; and a CommonJS program that require()s it. Catches a missing file in `files`, an `exports` map
 * that hides the types, a .d.ts that needs a devDependency's types, and a dependency left out
 * of `dependencies`. Skips with a message when npm cannot install offline here (the tarball's
 * dependencies are not in npm's cache).
 */

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./helpers/cli.js";

const work = tempDir("lds-packed-");
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string, timeout = 240_000) {
  const r = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout,
    env: { ...process.env, npm_config_fund: "false" },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim(), error: r.error };
}

const EXPECTED = [
  "scanBytes 3 3 0",
  "createScanner 3 3 xml",
  "matchRecord WS01",
  "createPrefilterStream true 1",
  "createScanStream 3",
  "scan 1 3 0 0 true",
  "engines 3 3",
  "rows 1 true 2024-03-05T10:11:12",
  "suppress true",
  "formats xml true 80 true",
  "error LDS_E_USAGE",
  "alert 64 true",
  "delivery 2 2 true true",
];

describe("the packed package from another project", () => {
  it("a strict TypeScript consumer of every export compiles and runs against the npm pack tarball", (context) => {
    if (!existsSync(join(ROOT, "dist", "index.d.ts")) || !existsSync(join(ROOT, "build", "matcher.wasm"))) {
      context.skip("dist/ or build/ missing: run npm run build first");
      return;
    }
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const pack = run(npm, ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], ROOT);
    expect(pack.status, pack.out).toBe(0);
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    expect(tarball).toBeDefined();
    const app = join(work, "app");
    run("mkdir", ["-p", app], work);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const install = run(
      npm,
      ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", join(work, tarball ?? "")],
      app,
    );
    if (install.status !== 0) {
      context.skip(
        `npm cannot install the tarball offline here (dependencies not in npm's cache): ${install.out.split("\n")[0]}`,
      );
      return;
    }
    copyFileSync(join(ROOT, "test", "fixtures", "consumer", "consumer.ts"), join(app, "consumer.ts"));
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022", "DOM"],
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules", "@types")],
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          noImplicitOverride: true,
          verbatimModuleSyntax: true,
          skipLibCheck: false,
          outDir: "out",
        },
        files: ["consumer.ts"],
      }),
    );
    const tsc = run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], app);
    expect(tsc.out).toBe("");
    expect(tsc.status).toBe(0);
    const consumer = run(process.execPath, [join(app, "out", "consumer.js")], app);
    expect(consumer.out.split("\n")).toEqual(EXPECTED);
    expect(consumer.status).toBe(0);
    // CommonJS: require() of this ES module package works where Node loads ES modules from
    // require() (20.19 and later); on older Node the README says to use import().
    if ((process.features as { require_module?: boolean }).require_module === true) {
      writeFileSync(
        join(app, "consumer.cjs"),
        [
          'const { scanBytes, ScanError } = require("lsass-dump-scan");',
          "const xml = \"<Event><System><EventID>11</EventID><Computer>WS01</Computer></System><EventData><Data Name='Image'>C:\\\\Windows\\\\Taskmgr.exe</Data><Data Name='TargetFilename'>C:\\\\Temp\\\\lsass.DMP</Data></EventData></Event>\";",
          "const { hits } = scanBytes(Buffer.from(xml));",
          'try { scanBytes(Buffer.from(xml), { fromat: "xml" }); } catch (e) { console.log(hits.length, hits[0].dest, e instanceof ScanError, e.code); }',
        ].join("\n"),
      );
      const cjs = run(process.execPath, [join(app, "consumer.cjs")], app);
      expect(cjs.out).toBe("1 WS01 true LDS_E_USAGE");
      expect(cjs.status).toBe(0);
    }
    // The README's examples (examples/*.mjs, examples/suppress.txt) ship with the package and run
    // from it: they import the package by its name.
    const installed = join(app, "node_modules", "lsass-dump-scan");
    expect(existsSync(join(installed, "examples", "suppress.txt"))).toBe(true);
    const example = run(
      process.execPath,
      [join(installed, "examples", "scan-buffer.mjs"), join(installed, "demo", "dc01-sysmon.xml.log")],
      app,
    );
    expect(example.out).toContain("wrote C:\\Users\\ebrown\\AppData\\Local\\Temp\\lsass.DMP");
    expect(example.status).toBe(0);
  }, 300_000);
});
