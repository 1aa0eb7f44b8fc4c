// A log pipeline stage: pass on only the records that may match, as a valid log of the same
// format (EVTX in, EVTX out; gzip in, plain out). Everything else is dropped before the
// expensive stages downstream ever see it.
//
//   node examples/prefilter-pipeline.mjs Sysmon.evtx candidates.evtx
//   node examples/prefilter-pipeline.mjs sysmon.json.gz candidates.json
import { createReadStream, createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createPrefilterStream } from "lsass-dump-scan";

const [input, output] = process.argv.slice(2);
if (input === undefined || output === undefined) {
  console.error("usage: node examples/prefilter-pipeline.mjs INPUT OUTPUT");
  process.exit(2);
}

const prefilter = createPrefilterStream();
await pipeline(createReadStream(input), prefilter, createWriteStream(output));

const stats = prefilter.stats();
console.error(`${input}: ${stats.bytes} bytes read, ${stats.matches} matching record(s) passed on to ${output}`);
for (const problem of stats.problems) console.error(`${input}: ${problem}`);
process.exitCode = stats.problems.length > 0 ? 2 : 0;
