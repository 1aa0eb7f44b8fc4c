/**
 * `npm start`: scans the bundled demo data (demo/) and prints the alert table. The planted
 * true positive makes the scanner exit 1 ("alerts found"); for the demo that is success, so
 * this wrapper exits 0 then and passes any other status through.
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

// The bundled bin (scripts/bundle-cli.mjs), as an installed lsass-dump-scan runs.
const main = fileURLToPath(new URL("../bin/lsass-dump-scan.js", import.meta.url));
const demo = fileURLToPath(new URL("../../demo", import.meta.url));
const result = spawnSync(process.execPath, [main, "scan", demo, ...process.argv.slice(2)], { stdio: "inherit" });
process.exitCode = result.status === 1 ? 0 : (result.status ?? 2);
