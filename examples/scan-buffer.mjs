// One-shot scan of bytes already in memory (a download, a message body, an upload): the
// rule's rows, and where each matched record is, so it can be stored or forwarded as is.
//
//   node examples/scan-buffer.mjs sysmon.xml
import { readFileSync } from "node:fs";
import { scanBytes } from "lsass-dump-scan";

const path = process.argv[2];
if (path === undefined) {
  console.error("usage: node examples/scan-buffer.mjs FILE");
  process.exit(2);
}

const bytes = readFileSync(path);
const { rows, hits, stats } = scanBytes(bytes);
for (const hit of hits) {
  const where = hit.recordId === undefined ? `bytes ${hit.offset}-${hit.offset + hit.length}` : `record ${hit.recordId}`;
  console.log(`${hit.time} ${hit.dest} ${hit.processName} wrote ${hit.targetFilename} (${where})`);
}
for (const row of rows) console.log(JSON.stringify(row));
for (const problem of stats.problems) console.error(`${path}: ${problem}`);
