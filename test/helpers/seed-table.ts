/**
 * The table of edge-case seeds (issue 2): each a tiny self-made input with the rows it must
 * give. Every engine must pass every seed; the wasm engine is also compared to the reference
 * engine on them byte for byte.
 */

import type { TextFormat } from "../../src/formats/log-format.js";
import {
  ecsRecord,
  ecsSysmonModuleRecord,
  evtxDumpDefaultOutput,
  evtxDumpRecord,
  flatRecord,
  jsonString,
  pandasRecord,
  type SeedEvent,
  TRUE_POSITIVE as TP,
  unindentedJson,
  velociraptorRecord,
  xmlEvent,
} from "./seed-events.js";

/** A row as the seeds check it: [dest, process_name, TargetFilename, count, firstTime, lastTime]. */
export type ExpectedRow = [string, string, string, number, string, string];

/** One seed. */
export interface Seed {
  name: string;
  /** The format detection must find. */
  format: TextFormat;
  content: string | Buffer;
  rows: ExpectedRow[];
  /** Malformed records the reference engine must count (checked when given). */
  malformed?: number;
}

const T = "2024-03-05T10:11:12";
const tpRow = (
  over: Partial<{ dest: string; proc: string; target: string; count: number; first: string; last: string }> = {},
): ExpectedRow => [
  over.dest ?? TP.computer!,
  over.proc ?? "Taskmgr.exe",
  over.target ?? TP.targetFilename!,
  over.count ?? 1,
  over.first ?? T,
  over.last ?? over.first ?? T,
];

type Builder = (e: SeedEvent) => string;
const FORMATS: [TextFormat, Builder][] = [
  ["xml", (e) => xmlEvent(e)],
  ["flat", (e) => flatRecord(e)],
  ["ecs", (e) => ecsRecord(e)],
  ["evtxdump", (e) => evtxDumpRecord(e)],
];

/** Cases that are the same event in every format: [name, event, rows]. */
const SEMANTIC_CASES: [string, SeedEvent, ExpectedRow[]][] = [
  ["true positive", TP, [tpRow()]],
  ["TASKMGR.EXE upper case", { ...TP, image: "C:\\WINDOWS\\SYSTEM32\\TASKMGR.EXE" }, [tpRow({ proc: "TASKMGR.EXE" })]],
  ["taskmgr.exe lower case", { ...TP, image: "c:\\windows\\system32\\taskmgr.exe" }, [tpRow({ proc: "taskmgr.exe" })]],
  ["SysWOW64 Taskmgr", { ...TP, image: "C:\\Windows\\SysWOW64\\Taskmgr.exe" }, [tpRow()]],
  ["Image without a backslash", { ...TP, image: "taskmgr.exe" }, [tpRow({ proc: "taskmgr.exe" })]],
  [
    "lsass (2).DMP",
    { ...TP, targetFilename: "C:\\Users\\alice\\AppData\\Local\\Temp\\lsass (2).DMP" },
    [tpRow({ target: "C:\\Users\\alice\\AppData\\Local\\Temp\\lsass (2).DMP" })],
  ],
  [
    "mylsassdump.dmp",
    { ...TP, targetFilename: "C:\\Temp\\mylsassdump.dmp" },
    [tpRow({ target: "C:\\Temp\\mylsassdump.dmp" })],
  ],
  ["lsass directory", { ...TP, targetFilename: "C:\\lsass\\x.dmp" }, [tpRow({ target: "C:\\lsass\\x.dmp" })]],
  ["LSASS.DMP upper", { ...TP, targetFilename: "C:\\TEMP\\LSASS.DMP" }, [tpRow({ target: "C:\\TEMP\\LSASS.DMP" })]],
  [
    "8.3 short name",
    { ...TP, targetFilename: "C:\\Users\\ADMINI~1\\AppData\\Local\\Temp\\lsass.DMP" },
    [tpRow({ target: "C:\\Users\\ADMINI~1\\AppData\\Local\\Temp\\lsass.DMP" })],
  ],
  ["EventID as string", { ...TP, eventId: "11" }, [tpRow()]],
  ["no provider and no channel counts as Sysmon", { ...TP, provider: undefined, channel: undefined }, [tpRow()]],
  ["channel only", { ...TP, provider: undefined }, [tpRow()]],
  ["provider only", { ...TP, channel: undefined }, [tpRow()]],
  [
    "non-ASCII host and user",
    {
      ...TP,
      computer: "ПК-Ωmega-東京",
      user: "CORP\\Jürgen",
      targetFilename: "C:\\Users\\Jürgen\\AppData\\Local\\Temp\\lsass.DMP",
    },
    [tpRow({ dest: "ПК-Ωmega-東京", target: "C:\\Users\\Jürgen\\AppData\\Local\\Temp\\lsass.DMP" })],
  ],
  [
    "special characters in values",
    { ...TP, computer: "a&b<c>\"d'e", targetFilename: 'C:\\x & y\\<lsass> "q".dmp' },
    [tpRow({ dest: "a&b<c>\"d'e", target: 'C:\\x & y\\<lsass> "q".dmp' })],
  ],
  // decoys
  ["decoy lsass.dmp.bak", { ...TP, targetFilename: "C:\\Temp\\lsass.dmp.bak" }, []],
  ["decoy lsass.txt", { ...TP, targetFilename: "C:\\Temp\\lsass.txt" }, []],
  ["decoy lsas.dmp", { ...TP, targetFilename: "C:\\Temp\\lsas.dmp" }, []],
  ["decoy .dmp before lsass", { ...TP, targetFilename: "C:\\Temp\\x.dmp\\lsass" }, []],
  ["decoy nottaskmgr.exe", { ...TP, image: "C:\\Tools\\nottaskmgr.exe" }, []],
  ["decoy taskmgr.exe.bak", { ...TP, image: "C:\\Tools\\taskmgr.exe.bak" }, []],
  ["decoy EventID 110", { ...TP, eventId: 110 }, []],
  ["decoy EventID 1", { ...TP, eventId: 1 }, []],
  ["decoy EventID 10", { ...TP, eventId: 10 }, []],
  [
    "decoy taskmgr only in TargetFilename",
    { ...TP, image: "C:\\Windows\\explorer.exe", targetFilename: "C:\\Temp\\taskmgr.exe-lsass.dmp" },
    [],
  ],
  [
    "decoy taskmgr only in ParentImage",
    { ...TP, image: "C:\\Windows\\System32\\procdump64.exe", parentImage: "C:\\Windows\\System32\\Taskmgr.exe" },
    [],
  ],
  ["decoy Security channel", { ...TP, provider: "Microsoft-Windows-Security-Auditing", channel: "Security" }, []],
  ["decoy empty Computer", { ...TP, computer: "" }, []],
  ["decoy no Computer", { ...TP, computer: undefined }, []],
  ["decoy no Image", { ...TP, image: undefined }, []],
  ["decoy no TargetFilename", { ...TP, targetFilename: undefined }, []],
];

function manyOf(format: TextFormat, events: SeedEvent[], sep = "\n"): string {
  const build = FORMATS.find(([f]) => f === format)![1];
  return events.map(build).join(sep) + "\n";
}

const REPEATED: SeedEvent[] = [
  { ...TP, time: "2024-03-05T10:11:12.9999999Z" },
  { ...TP, time: "2024-03-05T09:00:00.0000001Z" },
  { ...TP, eventId: 1 },
  { ...TP, time: "2024-03-06T23:59:59.5Z" },
];

function semanticSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const [format, build] of FORMATS) {
    for (const [name, event, rows] of SEMANTIC_CASES) {
      // Surround each case with a harmless record so detection sees a normal file.
      const background = build({ ...TP, eventId: 1, image: "C:\\Windows\\explorer.exe", targetFilename: undefined });
      seeds.push({ name: `${format}: ${name}`, format, content: `${background}\n${build(event)}\n`, rows });
    }
    seeds.push({
      name: `${format}: the same dump seen several times (count, first/last time)`,
      format,
      content: manyOf(format, REPEATED),
      rows: [tpRow({ count: 3, first: "2024-03-05T09:00:00", last: "2024-03-06T23:59:59" })],
    });
    seeds.push({
      name: `${format}: Taskmgr.exe and taskmgr.exe are two rows (case kept)`,
      format,
      content: manyOf(format, [TP, { ...TP, image: "C:\\windows\\system32\\taskmgr.exe" }]),
      rows: [tpRow(), tpRow({ proc: "taskmgr.exe" })],
    });
  }
  return seeds;
}

const ENTITY_TARGET = "C:\\Users\\bob & eve\\AppData\\Local\\Temp\\lsass é😀.DMP";

function layoutSeeds(): Seed[] {
  const tp = tpRow();
  const two = tpRow({ count: 2 });
  const crlf = (s: string) => s.replace(/\n/g, "\r\n");
  const bom = (s: string) => `\uFEFF${s}`;
  return [
    { name: "xml: one event a line", format: "xml", content: `${xmlEvent(TP)}\n`, rows: [tp] },
    {
      name: "xml: back to back on one line",
      format: "xml",
      content: `${xmlEvent(TP)}${xmlEvent(TP)}${xmlEvent({ ...TP, eventId: 1 })}`,
      rows: [two],
    },
    {
      name: "xml: pretty-printed",
      format: "xml",
      content: `${xmlEvent(TP, { pretty: true })}\n${xmlEvent(TP, { pretty: true })}\n`,
      rows: [two],
    },
    { name: "xml: double-quoted attributes", format: "xml", content: `${xmlEvent(TP, { quote: '"' })}\n`, rows: [tp] },
    {
      name: "xml: EventID with attributes",
      format: "xml",
      content: `${xmlEvent(TP, { eventIdAttributes: true })}\n`,
      rows: [tp],
    },
    {
      name: "xml: <Events> wrapper with declaration",
      format: "xml",
      content: `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${xmlEvent(TP, { pretty: true })}\n</Events>\n`,
      rows: [tp],
    },
    {
      name: "xml: CRLF",
      format: "xml",
      content: crlf(`${xmlEvent(TP, { pretty: true })}\n${xmlEvent(TP)}\n`),
      rows: [two],
    },
    { name: "xml: UTF-8 BOM", format: "xml", content: bom(`${xmlEvent(TP)}\n`), rows: [tp] },
    {
      name: "xml: entities and character references in values",
      format: "xml",
      content: `${xmlEvent({ ...TP, targetFilename: ENTITY_TARGET }).replace("lsass é😀.DMP", "&#108;sass &#xE9;&#128512;.DMP")}\n`,
      rows: [tpRow({ target: ENTITY_TARGET })],
    },
    {
      name: "xml: character reference inside lsass (l&#115;ass: no raw anchor)",
      format: "xml",
      content: `${xmlEvent(TP).replace("lsass.DMP", "l&#115;ass.DMP")}\n`,
      rows: [tp],
    },
    { name: "flat: CRLF", format: "flat", content: crlf(manyOf("flat", [TP, TP])), rows: [two] },
    { name: "flat: UTF-8 BOM", format: "flat", content: bom(manyOf("flat", [TP])), rows: [tp] },
    {
      name: "flat: Computer when there is no Hostname",
      format: "flat",
      content: `${flatRecord(TP, { hostKey: "Computer" })}\n`,
      rows: [tp],
    },
    {
      name: "flat: pretty-printed back to back",
      format: "flat",
      content: `${flatRecord(TP, { indent: 2 })}\n${flatRecord(TP, { indent: 2 })}\n`,
      rows: [two],
    },
    {
      name: "flat: \\u escapes in values",
      format: "flat",
      content: `${flatRecord({ ...TP, targetFilename: ENTITY_TARGET }).replace(jsonString(ENTITY_TARGET), jsonString(ENTITY_TARGET, true).replace("lsass", "\\u006csass"))}\n`,
      rows: [tpRow({ target: ENTITY_TARGET })],
    },
    {
      name: "ecs: event.code when winlog.event_id is missing",
      format: "ecs",
      content: `${ecsRecord(TP, { eventCodeOnly: true })}\n`,
      rows: [tp],
    },
    { name: "ecs: CRLF and BOM", format: "ecs", content: bom(crlf(manyOf("ecs", [TP, TP]))), rows: [two] },
    {
      name: "evtxdump: pretty-printed back to back",
      format: "evtxdump",
      content: `${evtxDumpRecord(TP, { indent: 2 })}\n${evtxDumpRecord(TP, { indent: 2 })}\n`,
      rows: [two],
    },
    {
      name: "evtxdump: EventID as {#text}",
      format: "evtxdump",
      content: `${evtxDumpRecord(TP, { indent: 2, idAsText: true })}\n`,
      rows: [tp],
    },
    {
      name: "evtxdump: JSON array",
      format: "evtxdump",
      content: `[\n${evtxDumpRecord(TP, { indent: 2 })},\n${evtxDumpRecord({ ...TP, eventId: 10 }, { indent: 2 })},\n${evtxDumpRecord(TP, { indent: 2 })}\n]\n`,
      rows: [two],
    },
    { name: "evtxdump: one a line", format: "evtxdump", content: manyOf("evtxdump", [TP, TP]), rows: [two] },
  ];
}

/** A target per layout, so a mixed file shows which layouts gave a row. */
function targetOf(layout: string): string {
  return `C:\\Users\\alice\\AppData\\Local\\Temp\\lsass (${layout}).DMP`;
}

/**
 * Issue 9: records written exactly as the real tools write them (Winlogbeat's Sysmon module,
 * Velociraptor parse_evtx, evtx_dump's default output, pandas), files mixing layouts, and
 * damage that must stay local.
 */
function toolSeeds(): Seed[] {
  const tp = tpRow();
  const two = tpRow({ count: 2 });
  const background: SeedEvent = { ...TP, eventId: 1, image: "C:\\Windows\\explorer.exe", targetFilename: undefined };
  const decoy: SeedEvent = { ...TP, eventId: 10 };
  const mixed: [string, string][] = [
    ["nxlog", flatRecord({ ...TP, targetFilename: targetOf("nxlog") })],
    ["winlogbeat", ecsRecord({ ...TP, targetFilename: targetOf("winlogbeat") })],
    ["sysmon-module", ecsSysmonModuleRecord({ ...TP, targetFilename: targetOf("sysmon-module") })],
    ["evtx_dump", evtxDumpRecord({ ...TP, targetFilename: targetOf("evtx_dump") })],
    ["velociraptor", velociraptorRecord({ ...TP, targetFilename: targetOf("velociraptor") })],
  ];
  const mixedRows = mixed.map(([layout]) => tpRow({ target: targetOf(layout) })).sort((a, b) => (a[2] < b[2] ? -1 : 1));
  const withTags = (record: string) =>
    record.replace(/^\{/, '{"Tags":[{"Name":"a","Value":1},{"Name":"b","Value":[{"x":1}]}],');
  return [
    {
      name: 'ecs: Winlogbeat 8 Sysmon module (process.executable, file.path, event.code "11", no event_data)',
      format: "ecs",
      content: `${ecsSysmonModuleRecord(background)}\n${ecsSysmonModuleRecord(TP)}\n${ecsSysmonModuleRecord(decoy)}\n`,
      rows: [tp],
    },
    {
      name: "ecs: Winlogbeat 7 Sysmon module (numeric event_id and event.code)",
      format: "ecs",
      content: `${ecsSysmonModuleRecord(TP, { numericIds: true })}\n${ecsSysmonModuleRecord(decoy, { numericIds: true })}\n`,
      rows: [tp],
    },
    {
      name: "ecs: Sysmon module without winlog.computer_name takes host.name",
      format: "ecs",
      content: `${ecsSysmonModuleRecord(TP, { noComputerName: true })}\n`,
      rows: [tpRow({ dest: "ws01" })],
    },
    {
      name: "ecs: a 1 MB first record whose winlog key comes after its message is still ECS",
      format: "ecs",
      content: `${ecsSysmonModuleRecord(TP, { messagePadding: 1 << 20 })}\n${ecsSysmonModuleRecord(TP)}\n`,
      rows: [two],
    },
    {
      name: "velociraptor: parse_evtx JSON lines (EventID {Value}, SystemTime in seconds, cut to whole seconds)",
      format: "evtxdump",
      content: `${velociraptorRecord(background)}\n${velociraptorRecord(TP)}\n${velociraptorRecord(decoy)}\n`,
      rows: [tp],
    },
    {
      name: "velociraptor: pretty-printed, plain EventID, ISO SystemTime",
      format: "evtxdump",
      content: `${velociraptorRecord(TP, { indent: 2, plainId: true, isoTime: true })}\n${velociraptorRecord(TP, { indent: 2 })}\n`,
      rows: [two],
    },
    {
      name: "velociraptor: first and last time from seconds since 1970",
      format: "evtxdump",
      content: `${REPEATED.map((e) => velociraptorRecord(e)).join("\n")}\n`,
      rows: [tpRow({ count: 3, first: "2024-03-05T09:00:00", last: "2024-03-06T23:59:59" })],
    },
    {
      name: "evtxdump: evtx_dump default output (Record N lines, pretty-printed)",
      format: "evtxdump",
      content: evtxDumpDefaultOutput([background, TP, decoy, TP]),
      malformed: 0,
      rows: [two],
    },
    {
      name: "evtxdump: evtx_dump default output with --no-indent, CRLF",
      format: "evtxdump",
      content: evtxDumpDefaultOutput([TP, decoy, TP], { noIndent: true, firstId: 1041 }).replace(/\n/g, "\r\n"),
      malformed: 0,
      rows: [two],
    },
    {
      name: "flat: pandas to_json (EventID 11.0, escaped slashes, null)",
      format: "flat",
      content: `${pandasRecord(background)}\n${pandasRecord({ ...TP, parentImage: undefined })}\n${pandasRecord({ ...TP, eventId: 110 })}\n`,
      rows: [tpRow({ first: "2024-03-05T10:11:12" })],
    },
    {
      name: "mixed: NXLog, Winlogbeat, Sysmon module, evtx_dump and Velociraptor records back to back",
      format: "flat",
      content: `${mixed.map(([, record]) => record).join("\n")}\n`,
      malformed: 0,
      rows: mixedRows,
    },
    {
      name: "mixed: the same records in reverse order, pretty-printed",
      format: "evtxdump",
      content: `${[...mixed]
        .reverse()
        .map(([, record]) => JSON.stringify(JSON.parse(record), null, 2))
        .join("\n")}\n`,
      rows: mixedRows,
    },
    {
      name: "damage: a line cut short after a lone backslash; the next line is read",
      format: "flat",
      content: `${flatRecord(TP).slice(0, flatRecord(TP).indexOf("System32") + 2)}\\\n${flatRecord(TP)}\n`,
      malformed: 1,
      rows: [tp],
    },
    {
      name: "damage: pretty-printed evtx_dump record cut inside a string before any candidate; not counted, the next record is read",
      format: "evtxdump",
      content: (() => {
        const pretty = evtxDumpDefaultOutput([TP, TP]);
        const cut = pretty.indexOf("Taskmgr.exe");
        return `${pretty.slice(0, cut)}\n${pretty.slice(pretty.indexOf("Record 2"))}`;
      })(),
      malformed: 0,
      rows: [tp],
    },
    {
      name: "damage: pretty-printed evtx_dump record cut inside its TargetFilename after `.dmp`; counted, the next record is read",
      format: "evtxdump",
      content: (() => {
        const pretty = evtxDumpDefaultOutput([TP, TP]);
        const cut = pretty.search(/\.dmp/i) + 4;
        return `${pretty.slice(0, cut)}\n${pretty.slice(pretty.indexOf("Record 2"))}`;
      })(),
      malformed: 1,
      rows: [tp],
    },
    {
      name: "damage: an XML <Event cut short (no candidate in it) ends at the next <Event; not counted",
      format: "xml",
      content: `${xmlEvent(TP).slice(0, xmlEvent(TP).indexOf("Taskmgr"))}${xmlEvent(TP)}\n`,
      malformed: 0,
      rows: [tp],
    },
    {
      name: "damage: an XML <Event cut short after its `.dmp` ends at the next <Event; counted",
      format: "xml",
      content: `${xmlEvent(TP).slice(0, xmlEvent(TP).search(/\.dmp/i) + 4)}${xmlEvent(TP)}\n`,
      malformed: 1,
      rows: [tp],
    },
    {
      name: "flat: pretty-printed without indentation, objects in arrays at column 0",
      format: "flat",
      content: `${unindentedJson(withTags(flatRecord(TP)))}\n${unindentedJson(withTags(flatRecord(TP)))}\n`,
      malformed: 0,
      rows: [two],
    },
    {
      name: "evtxdump: unindented records with arrays of objects, back to back",
      format: "evtxdump",
      content: `${unindentedJson(withTags(evtxDumpRecord(TP)))}\n${unindentedJson(withTags(evtxDumpRecord(decoy)))}\n${unindentedJson(withTags(evtxDumpRecord(TP)))}\n`,
      malformed: 0,
      rows: [two],
    },
  ];
}

/** Every seed. */
export const SEEDS: readonly Seed[] = [...semanticSeeds(), ...layoutSeeds(), ...toolSeeds()];
