import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { detectLogFormat } from "../src/formats/log-format.js";
import { expandInputs } from "../src/scan/inputs.js";
import { corpusDir } from "./helpers/fixtures.js";

const archives = corpusDir("archives");
const present = existsSync(archives);
if (!present) console.warn(`inputs-corpus: ${archives} is absent, the real-archive checks are skipped`);

describe.skipIf(!present)("the public corpus archives (../shared/corpus/archives)", () => {
  test("each OTRF zip holds one .json member, the splunk tar.gz holds attack_data.txt; all read whole", async () => {
    const seen: { name: string; bytes: number; size: number | undefined; format: string | undefined }[] = [];
    for await (const item of expandInputs([archives])) {
      expect(item.kind, item.name).toBe("stream");
      if (item.kind !== "stream") continue;
      let bytes = 0;
      for await (const chunk of item.chunks) bytes += chunk.length;
      seen.push({
        name: item.name.slice(archives.length + 1),
        bytes,
        size: item.size,
        format: detectLogFormat(item.head),
      });
    }
    expect(seen.map((s) => s.name)).toEqual([
      "cmd_lsass_memory_dumpert_syscalls.zip:cmd_lsass_memory_dumpert_syscalls_2020-10-1822561997.json",
      "psh_lsass_memory_dump_comsvcs.zip:psh_lsass_memory_dump_comsvcs_2020-10-18T19500924.json",
      "rdp_interactive_taskmanager_lsass_dump.zip:rdp_interactive_taskmanager_lsass_dump_2020-09-22043748.json",
      "splunk_T1047_attack_data.tar.gz:attack_data.txt",
    ]);
    for (const s of seen) {
      expect(s.bytes, s.name).toBe(s.size); // every byte the archive promised
      expect(s.format, s.name).toBe("flat");
    }
    expect(seen[3]?.bytes).toBe(22_537_733);
  });
});
