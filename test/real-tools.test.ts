/**
 * Logs as real tools write them (test/fixtures/real-tools/README.md names each tool and the
 * source its layout was taken from): each fixture gives exactly the contract's rows with both
 * engines, on one thread and in 4 KiB shards on two, and through the embedding API in one
 * buffer and in 7-byte pushes, with no malformed record and no problem.
 */

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EngineName } from "../src/engine/engine.js";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { scanBytes } from "../src/engine/scan-bytes.js";
import { createScanner } from "../src/engine/scanner.js";
import { detectLogFormat, SNIFF_BYTES } from "../src/formats/log-format.js";
import { scan } from "../src/pool/library-scan.js";
import { Aggregates } from "../src/report/aggregate.js";
import { type Row, toRows } from "../src/report/row.js";
import { whyNotALog } from "../src/scan/not-a-log.js";
import { scratchDir } from "./helpers/fixtures.js";
import { powershellOutFile } from "./helpers/powershell-text.js";

const DIR = new URL("./fixtures/real-tools/", import.meta.url).pathname;
const FIXTURES = readdirSync(DIR, { withFileTypes: true })
  .filter((f) => f.isFile() && !f.name.startsWith(".") && f.name !== "README.md")
  .map((f) => f.name)
  .sort();
const ENGINES: EngineName[] = ["wasm", "reference"];

/** `path` scanned by both engines, on one thread and in 4 KiB shards on two: `want`, nothing damaged. */
async function expectCleanRows(path: string, want: RowSummary[]): Promise<void> {
  for (const engine of ENGINES) {
    for (const options of [{ workers: 1 }, { workers: 2, shardSize: 4096 }]) {
      const out = await scan([path], { engine, ...options });
      expect(out.problems).toEqual([]);
      expect(out.malformed).toEqual([]);
      expect(summary(out.rows)).toEqual(want);
    }
  }
}

/** A file of no layout we read (under not-read/): named alone, one problem saying why; in a folder, a skipped file. */
async function expectNamedNotRead(engine: EngineName, path: string, reason: RegExp): Promise<void> {
  const named = await scan([path], { engine, workers: 1 });
  expect(named.rows).toEqual([]);
  expect(named.problems.map((p) => p.message)).toEqual([expect.stringMatching(reason)]);
  const folder = await scan([join(DIR, "not-read")], { engine, workers: 1 });
  expect(folder.skipped).toContainEqual({ name: path, reason: expect.stringMatching(reason) });
}

/** The fields the contract fixes, one row a line. */
type RowSummary = [string, string, string, string, number, string | null, string | null];

function summary(rows: readonly Row[]): RowSummary[] {
  return rows.map((r) => [
    r.dest,
    r.object_category,
    r.process_name,
    r.TargetFilename,
    r.count,
    r.firstTime,
    r.lastTime,
  ]);
}

const JOSE = "C:\\Users\\José\\AppData\\Local\\Temp\\lsass.DMP";
const OBRIEN = "C:\\Users\\O'Brien & Co\\AppData\\Local\\Temp\\lsass (2).DMP";

/** What every fixture holds (see the README); Velociraptor's float seconds round .9999999 up. */
function expectedRows(fixture: string): RowSummary[] {
  const last = /^veloci/.test(fixture) ? "2024-03-05T11:00:01" : "2024-03-05T11:00:00";
  return [
    ["WS01.corp.example", "file", "Taskmgr.exe", JOSE, 2, "2024-03-05T10:11:12", last],
    ["WS01.corp.example", "file", "taskmgr.exe", OBRIEN, 1, "2024-03-05T10:30:00", "2024-03-05T10:30:00"],
  ];
}

it("the fixture folder holds the files the README lists", () => {
  const readme = readFileSync(join(DIR, "README.md"), "utf8");
  expect(FIXTURES.length).toBeGreaterThanOrEqual(21);
  for (const f of FIXTURES) expect(readme).toMatch(new RegExp(`\\| ${f.replace(/\./g, "\\.")} +\\|`));
});

describe.each(FIXTURES)("%s", (fixture) => {
  const path = join(DIR, fixture);
  const want = expectedRows(fixture);

  it.each(ENGINES)("%s engine: the contract's rows on one thread and in 4 KiB shards", async (engine) => {
    for (const options of [{ workers: 1 }, { workers: 2, shardSize: 4096 }]) {
      const out = await scan([path], { engine, ...options });
      expect(out.problems).toEqual([]);
      expect(out.malformed).toEqual([]);
      expect(out.skipped).toEqual([]);
      expect(summary(out.rows)).toEqual(want);
    }
  });

  it("embedding API: one buffer and 7-byte pushes", () => {
    const bytes = readFileSync(path);
    const whole = scanBytes(bytes);
    expect(whole.stats.problems).toEqual([]);
    expect(whole.stats.malformedRecords).toBe(0);
    expect(summary(whole.rows)).toEqual(want);
    const scanner = createScanner();
    for (let i = 0; i < bytes.length; i += 7) scanner.push(bytes.subarray(i, i + 7));
    scanner.end();
    expect(scanner.stats().problems).toEqual([]);
    expect(scanner.stats().malformedRecords).toBe(0);
    expect(summary(scanner.rows())).toEqual(want);
  });
});

describe("evtx_dump --separate-json-attributes next to #attributes", () => {
  const system = (extra: Record<string, unknown>) =>
    JSON.stringify({
      Event_attributes: { xmlns: "http://schemas.microsoft.com/win/2004/08/events/event" },
      Event: {
        System: { EventID: 11, Computer: "WS01", ...extra },
        EventData: { Image: "C:\\Windows\\System32\\Taskmgr.exe", TargetFilename: "C:\\t\\lsass.DMP" },
      },
    });
  const sysmon = { Name: "Microsoft-Windows-Sysmon" };
  const security = { Name: "Microsoft-Windows-Security-Auditing" };
  const cases: [string, Record<string, unknown>, RowSummary[]][] = [
    ["a Security provider only in Provider_attributes, no channel", { Provider_attributes: security }, []],
    [
      "the time only in TimeCreated_attributes",
      { Provider_attributes: sysmon, TimeCreated_attributes: { SystemTime: "2024-03-05T10:11:12.999999Z" } },
      [["WS01", "file", "Taskmgr.exe", "C:\\t\\lsass.DMP", 1, "2024-03-05T10:11:12", "2024-03-05T10:11:12"]],
    ],
    [
      "#attributes (Security) wins over Provider_attributes (Sysmon)",
      { Provider: { "#attributes": security }, Provider_attributes: sysmon },
      [],
    ],
    [
      "a #attributes time that is no string gives way to TimeCreated_attributes",
      {
        Provider: { "#attributes": sysmon },
        TimeCreated: { "#attributes": { SystemTime: 5 } },
        TimeCreated_attributes: { SystemTime: "2024-03-05T10:11:12Z" },
      },
      [["WS01", "file", "Taskmgr.exe", "C:\\t\\lsass.DMP", 1, "2024-03-05T10:11:12", "2024-03-05T10:11:12"]],
    ],
    // JSON.parse keeps the last of duplicate keys; the wasm parser must too.
    ["the last of two Provider_attributes keys counts", { Provider_attributes: sysmon, DUPLICATE: security }, []],
  ];
  it.each(cases)("%s: both engines", async (_name, extra, want) => {
    const bytes = Buffer.from(`${system(extra).replace('"DUPLICATE"', '"Provider_attributes"')}\n`);
    expect(summary(scanBytes(bytes).rows)).toEqual(want);
    const agg = new Aggregates();
    await referenceEngine.scanStream(
      (async function* () {
        yield bytes;
      })(),
      "evtxdump",
      (e) => agg.add(e),
    );
    expect(summary(toRows(agg.entries()))).toEqual(want);
  });
});

describe("Python ElementTree's namespace-prefixed events (not-read/python-elementtree-tostring.xml)", () => {
  const path = join(DIR, "not-read", "python-elementtree-tostring.xml");
  const reason = /namespace-prefixed elements \(<ns0:Event>/;

  it.each(ENGINES)("%s engine: named, it is a problem that says why; in a folder, a skipped file", (engine) =>
    expectNamedNotRead(engine, path, reason),
  );

  it("embedding API: an unknown format, said once", () => {
    expect(scanBytes(readFileSync(path)).stats.problems).toEqual([expect.stringMatching(/^unknown format/)]);
  });
});

describe("Winlogbeat 5/6 output (not-read/winlogbeat6-file-output.ndjson)", () => {
  // Winlogbeat before 7 (6.8 `output.file`) keeps the event at the top level: `event_id`,
  // `log_name`, `source_name`, `computer_name`, `event_data`, `beat`, `type: "wineventlog"`. That is
  // no layout of the contract (Winlogbeat 7, 8, 9 nest it under `winlog`): read as flat JSON (it
  // has `@timestamp`), its true positives were a silent "no alerts" with exit status 0.
  const path = join(DIR, "not-read", "winlogbeat6-file-output.ndjson");
  const reason = /^Winlogbeat 5\/6 JSON \(event_id, log_name, event_data at the top level\)/;

  it.each(ENGINES)("%s engine: named, it is a problem that says why; in a folder, a skipped file", (engine) =>
    expectNamedNotRead(engine, path, reason),
  );

  it("pretty-printed, in an array, a first record longer than the sniffed head, or one without event_data: the same", () => {
    const first = JSON.parse(readFileSync(path, "utf8").split("\n")[0] ?? "") as Record<string, unknown>;
    const long = { ...first, message: "x".repeat(70 * 1024) };
    // An Application-channel event first: Winlogbeat 6 writes no event_data for one without data.
    const { event_data: _, ...withoutData } = { ...first, log_name: "Application", source_name: "MsiInstaller" };
    for (const text of [
      JSON.stringify(first, null, 2),
      `[\n${JSON.stringify(first, null, 2)}\n]`,
      JSON.stringify(long),
      JSON.stringify(withoutData),
      JSON.stringify({ ...withoutData, message: "x".repeat(70 * 1024) }),
    ]) {
      const bytes = Buffer.from(`${text}\n`);
      expect(detectLogFormat(bytes.subarray(0, SNIFF_BYTES))).toBeUndefined();
      expect(whyNotALog(bytes)).toMatch(reason);
    }
  });

  it("embedding API: an unknown format, said once", () => {
    expect(scanBytes(readFileSync(path)).stats.problems).toEqual([expect.stringMatching(/^unknown format/)]);
  });
});

describe("triage concatenation: the fixtures of one kind in one file", () => {
  const dir = scratchDir("lds-real-tools-");
  const kinds: [string, RegExp][] = [
    ["json", /^(evtx_dump-o-json|winlogbeat|nxlog|veloci)/],
    ["xml", /^(evtx_dump-o-xml|wevtutil|eventviewer|python-evtx|splunk)/],
  ];
  it.each(kinds)("%s: every fixture's events counted, in both engines, also in 4 KiB shards", async (kind, pattern) => {
    const parts = FIXTURES.filter((f) => pattern.test(f));
    expect(parts.length).toBeGreaterThanOrEqual(5);
    const path = join(dir, `mixed.${kind}.log`);
    writeFileSync(path, Buffer.concat(parts.map((f) => readFileSync(join(DIR, f)))));
    const velociraptor = parts.some((f) => /^veloci/.test(f));
    const want: RowSummary[] = [
      [
        "WS01.corp.example",
        "file",
        "Taskmgr.exe",
        JOSE,
        2 * parts.length,
        "2024-03-05T10:11:12",
        velociraptor ? "2024-03-05T11:00:01" : "2024-03-05T11:00:00",
      ],
      ["WS01.corp.example", "file", "taskmgr.exe", OBRIEN, parts.length, "2024-03-05T10:30:00", "2024-03-05T10:30:00"],
    ];
    await expectCleanRows(path, want);
  });
});

describe("triage concatenation of exports that each begin with a byte order mark", () => {
  // `cat a.json b.json > all.json` (or `copy /b a.json+b.json all.json`) of files written by
  // Windows PowerShell 5.1 `Out-File -Encoding utf8` (EF BB BF) or `Out-File` (FF FE, UTF-16LE):
  // every file's BOM lands in front of its first record, mid-stream. It is no damage: the BOM
  // between records is skipped, and the record after it counts.
  const dir = scratchDir("lds-real-tools-bom-");
  const JSON_FIXTURES = FIXTURES.filter((f) => /^(evtx_dump-o-json|winlogbeat|nxlog|veloci)/.test(f));
  const BOM8 = Buffer.from([0xef, 0xbb, 0xbf]);
  const variants: [string, () => Buffer][] = [
    ["UTF-8 with BOM", () => Buffer.concat(JSON_FIXTURES.flatMap((f) => [BOM8, readFileSync(join(DIR, f))]))],
    [
      "UTF-16LE with BOM",
      () =>
        Buffer.concat(
          JSON_FIXTURES.filter((f) => !/^powershell/.test(f)).map((f) =>
            powershellOutFile(readFileSync(join(DIR, f), "utf8")),
          ),
        ),
    ],
  ];
  it("the first file empty, a BOM alone: the format is still recognized, every event read", async () => {
    // `@() | Out-File -Encoding utf8 empty.json` leaves only EF BB BF; `cat empty.json a.json`.
    for (const fixture of ["nxlog-im_msvistalog-to_json.log", "wevtutil-qe-f-xml.xml", "evtx_dump-o-json.txt"]) {
      const path = join(dir, `empty-first-${fixture}`);
      const data = Buffer.concat([BOM8, BOM8, readFileSync(join(DIR, fixture))]);
      writeFileSync(path, data);
      for (const engine of ENGINES) {
        const out = await scan([path], { engine, workers: 1 });
        expect(out.problems).toEqual([]);
        expect(out.malformed).toEqual([]);
        expect(summary(out.rows)).toEqual(expectedRows(fixture));
      }
      // Pushed in pieces shorter than the two BOMs: the format waits for the bytes after them.
      for (const step of [1, 2, 4, 5]) {
        const scanner = createScanner();
        for (let i = 0; i < data.length; i += step) scanner.push(data.subarray(i, i + step));
        scanner.end();
        expect(scanner.stats().problems, `${fixture} in ${step}-byte pushes`).toEqual([]);
        expect(summary(scanner.rows())).toEqual(expectedRows(fixture));
      }
    }
  });

  it.each(variants)(
    "%s: every fixture's events, no malformed record, in both engines and shards",
    async (name, bytes) => {
      const data = bytes();
      const parts = name.startsWith("UTF-8")
        ? JSON_FIXTURES.length
        : JSON_FIXTURES.filter((f) => !/^powershell/.test(f)).length;
      const path = join(dir, `${name.replace(/\W+/g, "-")}.log`);
      writeFileSync(path, data);
      const want: RowSummary[] = [
        ["WS01.corp.example", "file", "Taskmgr.exe", JOSE, 2 * parts, "2024-03-05T10:11:12", "2024-03-05T11:00:01"],
        ["WS01.corp.example", "file", "taskmgr.exe", OBRIEN, parts, "2024-03-05T10:30:00", "2024-03-05T10:30:00"],
      ];
      await expectCleanRows(path, want);
      const scanner = createScanner();
      for (let i = 0; i < data.length; i += 7) scanner.push(data.subarray(i, i + 7));
      scanner.end();
      expect(scanner.stats().malformedRecords).toBe(0);
      expect(summary(scanner.rows())).toEqual(want);
    },
  );
});

describe("a power loss's NUL-filled block, then the writer appends (NXLog om_file after a restart)", () => {
  // NTFS keeps a file's new length across a power loss but not the unwritten data: the tail reads
  // as NUL bytes, and the restarted service appends its next records right after them, with no
  // line break between. JSON never holds a raw NUL: it ends the damaged record, and the records
  // after the NULs count.
  const dir = scratchDir("lds-real-tools-nul-");
  const lines = readFileSync(join(DIR, "nxlog-im_msvistalog-to_json.log"), "utf8").split(/(?<=\n)/);
  const [l1 = "", l2 = "", l3 = "", l4 = "", ...rest] = lines;
  const nuls = "\0".repeat(4096);
  // The Security-channel near miss, cut inside a string after its `lsass.DMP`: a damaged record
  // that could have held a match, so it counts as malformed.
  const cut = l4.slice(0, l4.indexOf('"CreationUtcTime":"') + 22);
  const cases: [string, string, number[]][] = [
    ["inside a record", l1 + cut + nuls + l2 + l3 + rest.join(""), [Buffer.byteLength(l1)]],
    ["after a whole record", l1 + nuls + l2 + l3 + l4 + rest.join(""), []],
  ];
  it.each(cases)("%s: every record after the NULs counts, in both engines and shards", async (name, text, offsets) => {
    const path = join(dir, `${name.replace(/\W+/g, "-")}.log`);
    writeFileSync(path, text);
    const want = expectedRows("nxlog-im_msvistalog-to_json.log");
    const malformed = offsets.length === 0 ? [] : [{ input: path, count: offsets.length, offsets }];
    for (const engine of ENGINES) {
      for (const options of [{ workers: 1 }, { workers: 2, shardSize: 4096 }]) {
        const out = await scan([path], { engine, ...options });
        expect(out.problems).toEqual([]);
        expect(summary(out.rows)).toEqual(want);
        expect(out.malformed).toEqual(malformed);
      }
    }
    const data = Buffer.from(text);
    const scanner = createScanner();
    for (let i = 0; i < data.length; i += 7) scanner.push(data.subarray(i, i + 7));
    scanner.end();
    expect(scanner.stats().malformedRecords).toBe(offsets.length);
    expect(summary(scanner.rows())).toEqual(want);
  });
});

describe("Elasticsearch documents (not-read/elasticdump-winlogbeat8.ndjson)", () => {
  // Winlogbeat 8 events as a DFIR user gets them back out of Elasticsearch: elasticdump
  // (`--type=data`) writes each search hit, the event under `_source`; a `_search` response holds
  // them in `hits.hits`. No layout reads `_source`: the file is named as what it is, with the
  // one-line way to unwrap it, instead of a blanket "JSON that is not a Sysmon log layout".
  const path = join(DIR, "not-read", "elasticdump-winlogbeat8.ndjson");
  const reason = /^Elasticsearch documents \(each event under _source\)/;

  it.each(ENGINES)("%s engine: named, it is a problem that says why and how to unwrap it", async (engine) => {
    const named = await scan([path], { engine, workers: 1 });
    expect(named.rows).toEqual([]);
    expect(named.problems.map((p) => p.message)).toEqual([expect.stringMatching(reason)]);
    expect(named.problems[0]?.message).toContain("jq -c '._source'");
  });

  const hits = readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as unknown);
  /** A `_search` response holding the hits `times` over: 12 times is more than the sniffed head. */
  const response = (times: number) => ({
    took: 4,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: { total: { value: 9 * times, relation: "eq" }, max_score: 1, hits: Array(times).fill(hits).flat() },
  });

  it("a _search response (hits.hits), one line or pretty-printed, says the same", () => {
    for (const text of [JSON.stringify(response(1), null, 2), JSON.stringify(response(1))]) {
      const bytes = Buffer.from(text);
      expect(detectLogFormat(bytes.subarray(0, SNIFF_BYTES))).toBeUndefined();
      expect(whyNotALog(bytes)).toMatch(reason);
    }
  });

  it.each(ENGINES)(
    "%s engine: a _search response longer than the sniffed head is named too, not scanned to a silent nothing",
    async (engine) => {
      // Its first object is the whole response: the key heuristics saw `"winlog":{` (deep inside
      // hits.hits[]._source) and took it for ECS, whose one record then held no match: 0 alerts, status 0.
      const big = join(scratchDir("lds-real-tools-es-"), "search-response.json");
      const text = JSON.stringify(response(12), null, 2);
      expect(text.length).toBeGreaterThan(SNIFF_BYTES);
      writeFileSync(big, text);
      const out = await scan([big], { engine, workers: 1 });
      expect(out.rows).toEqual([]);
      expect(out.problems.map((p) => p.message)).toEqual([expect.stringMatching(reason)]);
    },
  );
});
