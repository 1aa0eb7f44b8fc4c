// A per-record hook for hosts that already split logs into records (a queue consumer, a
// Logstash-style filter): one JSON or XML event per line on standard input, matches out.
//
//   kafkacat -C -t sysmon | node examples/per-record-hook.mjs
//   node examples/per-record-hook.mjs < winlogbeat.ndjson
import { createInterface } from "node:readline";
import { matchRecord } from "lsass-dump-scan";

let records = 0;
let matches = 0;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
  if (line.trim() === "") continue;
  records++;
  const event = matchRecord(line);
  if (event === null) continue;
  matches++;
  console.log(JSON.stringify({ alert: "Creation of lsass Dump with Taskmgr", ...event }));
}
console.error(`${records} record(s), ${matches} match(es)`);
