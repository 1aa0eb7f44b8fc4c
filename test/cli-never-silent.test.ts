/**
 * Issue 9, item 5: never silent. Malformed records are counted per input in the summary line
 * and named with --verbose; files skipped in folders are named with why; a scan that read no
 * log at all exits 2 with "nothing was scanned"; junk in folders is skipped the same way whether
 * compressed or not. Both engines, one thread or several, 4 KiB shards, stdin, and the library.
 */

import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { malformedLines, malformedSummary } from "../src/cli/scan-report.js";
import { detectLogFormat } from "../src/formats/log-format.js";
import { scan } from "../src/index.js";
import { addMalformed, type MalformedInput } from "../src/scan/malformed.js";
import { whyNotALog } from "../src/scan/not-a-log.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { makeTar } from "./helpers/inputs-fixtures.js";
import { ecsRecord, flatRecord, TRUE_POSITIVE as TP, xmlEvent } from "./helpers/seed-events.js";

const ENGINES = ["wasm", "reference"] as const;
const THREADS = [
  ["-j", "1"],
  ["-j", "2", "--shard-size", "4k"],
] as const;

function lines(s: string): string[] {
  return s.split("\n").filter((l) => l !== "");
}

/**
 * A flat JSON lines log with `bad` damaged candidate records among good ones: a run of NUL bytes
 * over part of the Image value, as a crash leaves in a file's unwritten blocks (a raw control
 * character is not valid inside a JSON string, so the record does not parse).
 */
function damagedLog(dest: string, bad: number): string {
  const out: string[] = [];
  for (let i = 0; i < bad; i++) {
    out.push(flatRecord({ ...TP, computer: dest }));
    out.push(flatRecord({ ...TP, computer: `${dest}-cut` }).replace("System32", "\0".repeat(8)));
    // Background, so a file spans several 4 KiB shards.
    for (let j = 0; j < 10; j++) out.push(flatRecord({ ...TP, eventId: 1, computer: `bg-${j}` }));
  }
  out.push(flatRecord({ ...TP, computer: dest }));
  return `${out.join("\n")}\n`;
}

const dir = tempDir("lds-silent-");
const oneBad = join(dir, "one-bad.json");
writeFileSync(oneBad, damagedLog("WS-A", 3));
const many = join(dir, "many");
mkdirSync(many);
writeFileSync(join(many, "a.json"), damagedLog("WS-A", 5));
writeFileSync(join(many, "b.json"), damagedLog("WS-B", 1));
writeFileSync(join(many, "c.json"), damagedLog("WS-C", 2));
writeFileSync(join(many, "d.json"), damagedLog("WS-D", 4));

describe("malformed records are counted per input, never silently", () => {
  for (const engine of ENGINES) {
    for (const threads of THREADS) {
      it(`${engine} ${threads.join(" ")}: one input`, () => {
        const r = runCli(["scan", oneBad, "--engine", engine, ...threads, "--format", "jsonl"]);
        expect(r.status).toBe(2);
        expect(JSON.parse(r.stdout).count).toBe(4);
        expect(r.stderr).toMatch(
          new RegExp(`, 3 malformed records skipped in ${oneBad.replace(/[\\/.]/g, "\\$&")} in `),
        );
      });

      it(`${engine} ${threads.join(" ")}: several inputs give the total and the worst few`, () => {
        const r = runCli(["scan", many, "--engine", engine, ...threads, "--format", "jsonl"]);
        expect(r.status).toBe(2);
        const at = (f: string) => join(many, f);
        expect(r.stderr).toContain(
          `12 malformed records skipped in 4 inputs, most in ${at("a.json")} (5), ${at("d.json")} (4), ${at("c.json")} (2)`,
        );
      });
    }

    it(`${engine}: standard input, and the count is printed even with --quiet`, () => {
      const r = runCli(["scan", "-", "--engine", engine, "-q"], { input: damagedLog("WS-A", 2) });
      expect(r.status).toBe(2);
      expect(lines(r.stderr)).toEqual(["lsass-dump-scan: 2 malformed records skipped in -"]);
    });

    it(`${engine}: a damaged record that could not have held a match is not counted (exit 1: alerts, all read)`, () => {
      // Cut before its TargetFilename: no `.dmp`, no escape that may spell one.
      const cut = flatRecord({ ...TP, computer: "WS-cut" });
      const text = `${flatRecord(TP)}\n${cut.slice(0, cut.indexOf("TargetFilename"))}\n${flatRecord(TP)}\n`;
      const r = runCli(["scan", "-", "--engine", engine, "--format", "jsonl"], { input: text });
      expect(r.stderr).not.toContain("malformed");
      expect(r.status).toBe(1);
      // The same record cut after its `.dmp` could have held a match: counted, exit status 2.
      const at = cut.search(/\.dmp/i) + 4;
      const damaged = `${flatRecord(TP)}\n${cut.slice(0, at)}\n${flatRecord(TP)}\n`;
      const d = runCli(["scan", "-", "--engine", engine, "--format", "jsonl", "-q"], { input: damaged });
      expect(lines(d.stderr)).toEqual(["lsass-dump-scan: 1 malformed record skipped in -"]);
      expect(d.status).toBe(2);
    });

    it(`${engine}: --verbose names each malformed record's input`, () => {
      const r = runCli(["scan", oneBad, "--engine", engine, "--verbose", "-q"]);
      const named = lines(r.stderr).filter((l) => l.startsWith(`lsass-dump-scan: ${oneBad}: `));
      // One line per record with its byte offset once the engine reports offsets, else one line with the count.
      const offsets = named.filter((l) => / malformed record at byte \d+ skipped$/.test(l));
      if (offsets.length > 0) expect(offsets).toHaveLength(3);
      else expect(named).toEqual([`lsass-dump-scan: ${oneBad}: 3 malformed records skipped (offsets not known)`]);
    });
  }
});

describe("a scan that read no log at all exits 2: nothing was scanned", () => {
  const empty = join(dir, "empty");
  mkdirSync(empty);
  const csv = join(dir, "csv-exports");
  mkdirSync(csv);
  // Event Viewer's "Save All Events As... CSV" and Export-Csv write a header line like these.
  writeFileSync(
    join(csv, "sysmon.csv"),
    "Level,Date and Time,Source,Event ID,Task Category\r\nInformation,3/5/2024 10:11:12 AM,Microsoft-Windows-Sysmon,11,File created (rule: FileCreate)\r\n",
  );
  writeFileSync(
    join(csv, "export.csv.gz"),
    gzipSync('"TimeCreated","Id","Message"\r\n"3/5/2024","11","File created"\r\n'),
  );
  const junk = join(dir, "junk");
  mkdirSync(junk);
  writeFileSync(join(junk, "shot.png"), Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
  writeFileSync(join(junk, "tool"), Buffer.concat([Buffer.from("7f454c46020101", "hex"), Buffer.alloc(64)]));
  writeFileSync(join(junk, "events-utf16.xml"), Buffer.from(xmlEvent(TP), "utf16le"));

  for (const engine of ENGINES) {
    for (const threads of THREADS) {
      it(`${engine} ${threads.join(" ")}: an empty folder, a folder of CSV exports, only junk`, () => {
        for (const folder of [empty, csv, junk]) {
          const r = runCli(["scan", folder, "--engine", engine, ...threads]);
          expect(r.status, folder).toBe(2);
          expect(r.stderr).toContain(`lsass-dump-scan: ${folder}: nothing was scanned: `);
        }
      });
    }
  }

  it("--verbose says why each file was skipped, compressed or not", () => {
    const r = runCli(["scan", csv, junk, "--verbose"]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual(
      expect.arrayContaining([
        `lsass-dump-scan: skipped ${join(csv, "export.csv.gz")}: CSV text`,
        `lsass-dump-scan: skipped ${join(csv, "sysmon.csv")}: CSV text`,
        `lsass-dump-scan: skipped ${join(junk, "shot.png")}: PNG image`,
        `lsass-dump-scan: skipped ${join(junk, "tool")}: ELF binary`,
        `lsass-dump-scan: skipped ${join(junk, "events-utf16.xml")}: UTF-16 without BOM? (we read UTF-16 only with a byte order mark)`,
      ]),
    );
  });

  it("junk met in a folder is skipped whether compressed or not; the logs beside it decide the status", async () => {
    const mixed = join(dir, "mixed");
    mkdirSync(mixed);
    writeFileSync(join(mixed, "events.xml"), `${xmlEvent(TP)}\n`);
    writeFileSync(join(mixed, "notes.csv"), "a,b,c\n1,2,3\n");
    writeFileSync(join(mixed, "notes.csv.gz"), gzipSync("a,b,c\n1,2,3\n"));
    writeFileSync(join(mixed, "bundle.tar"), await makeTar([{ name: "readme.txt", data: "hello, reader\n" }]));
    for (const engine of ENGINES) {
      for (const threads of THREADS) {
        const r = runCli(["scan", mixed, "--engine", engine, ...threads]);
        expect(r.status, `${engine} ${threads.join(" ")}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain("3 skipped");
        expect(r.stderr).not.toContain("problem");
      }
    }
  });

  it("a file reached twice (named again, or through a link) is scanned once: its events counted once, the second named with why", () => {
    const twice = join(dir, "twice");
    mkdirSync(twice);
    const log = join(twice, "events.xml");
    writeFileSync(log, `${xmlEvent(TP)}\n`);
    symlinkSync(log, join(twice, "link.xml"));
    writeFileSync(join(twice, "notes.csv"), "a,b\n1,2\n");
    for (const engine of ENGINES) {
      for (const threads of THREADS) {
        const r = runCli(["scan", twice, log, "--engine", engine, ...threads, "--format", "jsonl", "--verbose"]);
        expect(r.status, `${engine} ${threads.join(" ")}: ${r.stderr}`).toBe(1);
        expect(lines(r.stdout).map((l) => (JSON.parse(l) as { count: number }).count)).toEqual([1]);
        expect(r.stderr).toContain(
          `lsass-dump-scan: skipped ${join(twice, "link.xml")}: same file as ${log}, already scanned`,
        );
        expect(r.stderr).toContain(`lsass-dump-scan: skipped ${log}: same file as ${log}, already scanned`);
        expect(r.stderr).toContain("1 input, ");
        expect(r.stderr).toContain("3 skipped (1 not a log format we read, 2 already scanned)");
      }
    }
  });

  it("the library reports it as a problem, and malformed records per input", async () => {
    const nothing = await scan([csv], { workers: 1 });
    expect(nothing.rows).toEqual([]);
    expect(nothing.problems.map((p) => p.code)).toEqual(["LDS_E_NOTHING_SCANNED"]);
    expect(nothing.skipped).toHaveLength(2);
    for (const engine of ENGINES) {
      const damaged = await scan([oneBad, many], { engine, workers: 2, shardSize: 4096 });
      expect(damaged.problems).toEqual([]);
      expect(damaged.malformed.map((m) => [m.input, m.count])).toEqual(
        expect.arrayContaining([
          [oneBad, 3],
          [join(many, "a.json"), 5],
          [join(many, "b.json"), 1],
          [join(many, "c.json"), 2],
          [join(many, "d.json"), 4],
        ]),
      );
      expect(damaged.malformed).toHaveLength(5);
    }
  });
});

describe("malformed bookkeeping", () => {
  it("merges shards of one input, keeping the first 100 offsets in order", () => {
    const list: MalformedInput[] = [];
    addMalformed(
      list,
      "x.json",
      60,
      Array.from({ length: 60 }, (_, i) => 5000 + i),
    );
    addMalformed(list, "y.json", 1, [7]);
    addMalformed(
      list,
      "x.json",
      70,
      Array.from({ length: 70 }, (_, i) => i),
    );
    addMalformed(list, "z.json", 0, []);
    expect(list.map((m) => [m.input, m.count])).toEqual([
      ["x.json", 130],
      ["y.json", 1],
    ]);
    expect(list[0]!.offsets).toHaveLength(100);
    expect(list[0]!.offsets.slice(68, 72)).toEqual([68, 69, 5000, 5001]);
  });

  it("summary and --verbose lines", () => {
    expect(malformedSummary([])).toBeUndefined();
    expect(malformedSummary([{ input: "x.json", count: 1, offsets: [] }])).toBe("1 malformed record skipped in x.json");
    expect(
      malformedLines([
        { input: "x.json", count: 3, offsets: [10, 250] },
        { input: "y.json", count: 2, offsets: [] },
      ]),
    ).toEqual([
      "x.json: malformed record at byte 10 skipped",
      "x.json: malformed record at byte 250 skipped",
      "x.json: 1 more malformed record skipped (offsets of the first 2 are listed)",
      "y.json: 2 malformed records skipped (offsets not known)",
    ]);
  });

  it("a Splunk JSON export (each event a string in result._raw) is named, never scanned to a silent nothing", () => {
    const dir = tempDir("lds-splunk-export-");
    const exported = [xmlEvent(TP), xmlEvent({ ...TP, computer: "other" })]
      .map((raw, offset) =>
        JSON.stringify({ preview: false, offset, result: { _raw: raw, sourcetype: "XmlWinEventLog" } }),
      )
      .join("\n");
    const path = join(dir, "export.json");
    writeFileSync(path, `${exported}\n`);
    // A first record longer than the sniffed head is recognized by how it starts.
    const long = JSON.stringify({ preview: false, offset: 0, result: { _raw: xmlEvent(TP), pad: "x".repeat(70_000) } });
    expect(detectLogFormat(Buffer.from(long).subarray(0, 65_536))).toBeUndefined();
    expect(detectLogFormat(Buffer.from(exported))).toBeUndefined();
    for (const engine of ENGINES) {
      const run = runCli(["scan", "--engine", engine, "--format", "jsonl", path]);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(
        `${path}: Splunk search results exported as JSON (each event a string in result._raw)`,
      );
    }
  });

  it("a JSON wrapper around events, longer than the sniffed head, is named, never read as one record to a silent nothing", () => {
    // The engines read such a file as one record (up to 64 MiB) whose top level holds no field
    // of any layout. Below 64 KiB the first object parses and is named; above, the key
    // heuristics took a `"winlog":{` deep inside for ECS, or any `{"` for flat JSON.
    const dir = tempDir("lds-json-wrapper-");
    const ecs = JSON.parse(ecsRecord(TP)) as unknown;
    const wrappers: [string, unknown][] = [
      // Azure Monitor Logs query API (api.loganalytics.io/v1/workspaces/{id}/query) response.
      [
        "log-analytics.json",
        {
          tables: [
            {
              name: "PrimaryResult",
              columns: [
                { name: "TimeGenerated", type: "datetime" },
                { name: "EventData", type: "string" },
              ],
              rows: Array.from({ length: 200 }, () => ["2024-03-05T10:11:12.123Z", xmlEvent(TP)]),
            },
          ],
        },
      ],
      // Events in an array under a key no layout reads, as a script or an API may write them.
      ["events.json", { events: Array.from({ length: 100 }, () => ecs) }],
    ];
    const texts: [string, string][] = wrappers.map(([name, value]) => [name, JSON.stringify(value, null, 2)]);
    // plaso's `psort -o json` (plaso/output/json_out.py): `{"event_0": {...}\n, "event_1": {...}\n}`,
    // each event with the record's XML in `xml_string`.
    const plasoEvent = JSON.stringify({
      __container_type__: "event",
      __type__: "AttributeContainer",
      computer_name: "WS01",
      data_type: "windows:evtx:record",
      event_identifier: 11,
      parser: "winevtx",
      source_name: "Microsoft-Windows-Sysmon",
      timestamp: 1709633472123456,
      timestamp_desc: "Creation Time",
      xml_string: xmlEvent(TP),
    });
    const plaso = Array.from({ length: 100 }, (_, n) => `"event_${n}": ${plasoEvent}\n`).join(", ");
    texts.push(["psort-o-json.json", `{${plaso}}`]);
    // The sniffed head may end anywhere, also inside a member's key or before its value.
    const psort = Buffer.from(`{${plaso}}`);
    const key = psort.indexOf('"event_50"');
    for (const cut of [key, key + 3, key + 10, key + 12]) {
      expect(detectLogFormat(psort.subarray(0, cut)), `psort head cut at ${cut - key}`).toBeUndefined();
    }
    for (const [name, text] of texts) {
      expect(text.length).toBeGreaterThan(65_536);
      expect(detectLogFormat(Buffer.from(text).subarray(0, 65_536)), name).toBeUndefined();
      const path = join(dir, name);
      writeFileSync(path, text);
      for (const engine of ENGINES) {
        const run = runCli(["scan", "--engine", engine, "--format", "jsonl", path]);
        expect(run.status, run.stderr).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr).toContain(`${path}: JSON that is not a Sysmon log layout we read`);
      }
    }
    // A log whose first record is that long is still read: its first key is a layout's, or its
    // first value is no object or array (a long Message first, as Logstash may order keys).
    const longMessage = { Message: "x".repeat(70_000), EventID: 11, Hostname: "WS01" };
    expect(detectLogFormat(Buffer.from(JSON.stringify(longMessage)).subarray(0, 65_536))).toBe("flat");
    const beats = {
      "@metadata": { beat: "winlogbeat" },
      "@timestamp": "2024-03-05T10:11:12.123Z",
      message: "x".repeat(70_000),
    };
    expect(detectLogFormat(Buffer.from(JSON.stringify(beats)).subarray(0, 65_536))).toBe("flat");
  });

  it("whyNotALog names common files", () => {
    const text = (s: string) => Buffer.from(s);
    expect(whyNotALog(new Uint8Array(0))).toBe("empty");
    // What GNU tar writes for an empty archive: two zero blocks, padded to 20 (10240 bytes).
    expect(whyNotALog(new Uint8Array(10240))).toBe("only NUL bytes (an empty tar, or a file zeroed or never written)");
    expect(whyNotALog(Buffer.from("%PDF-1.7\n"))).toBe("PDF document");
    expect(whyNotALog(Buffer.from("MZ\x90\x00\x03\x00", "latin1"))).toBe("Windows executable (PE)");
    expect(whyNotALog(text("Level,Date and Time,Source,Event ID,Task Category\r\n"))).toBe("CSV text");
    expect(whyNotALog(text("just some notes\n"))).toBe("text that is not a log format we read");
    expect(whyNotALog(text("Dec  1 05:30:01 ubuntu systemd[1]: Started Session 1 of user root.\n"))).toBe(
      "syslog text",
    );
    expect(whyNotALog(text("2026-12-01T05:30:01.123456+00:00 ubuntu CRON[9]: (root) CMD (true)\n"))).toBe(
      "syslog text",
    );
    const sysmonForLinux = 'Dec  1 05:30:00 ubuntu sysmon: <Event><System><Provider Name="Linux-Sysmon"/>';
    expect(whyNotALog(text(`${sysmonForLinux}<EventID>11</EventID></System></Event>\n`))).toMatch(
      /^syslog text with Sysmon for Linux events/,
    );
    expect(whyNotALog(Buffer.from('{"a":1}\n', "utf16le").swap16())).toMatch(/^UTF-16 without BOM\?/);
    expect(whyNotALog(Buffer.from([1, 2, 3, 0, 0, 0, 200, 201]))).toBe("binary data, not a log format we read");
  });
});
