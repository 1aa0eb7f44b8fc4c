/**
 * Property tests (fast-check): random mixes of generated Sysmon records (src/generate/: true
 * positives, decoys, background) and hand-made tricky ones (escaped letters, repeated keys and
 * elements, entities, CDATA, comments, namespace prefixes, truncated records, junk, nesting
 * deeper than the matcher's stack), in every format and layout (JSON lines, CRLF, pretty-printed
 * back to back, arrays indented or not, objects back to back on a line; XML one a line, all on
 * one line, pretty-printed, in an <Events> wrapper; with or without a byte order mark), scanned
 * with random block sizes down to 16 bytes and random chunk splits. The wasm engine must give
 * exactly the reference engine's rows and match count.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Engine, ScanStats } from "../src/engine/engine.js";
import { referenceEngine } from "../src/engine/reference-engine.js";
import { createWasmEngine } from "../src/engine/wasm-engine.js";
import type { TextFormat } from "../src/formats/log-format.js";
import { Prng, randomRecord } from "../src/generate/index.js";
import { Aggregates } from "../src/report/aggregate.js";
import { type Row, toRows } from "../src/report/row.js";
import { loadMatcherModule, type MatcherBuild } from "../src/wasm/module.js";

const FORMATS: TextFormat[] = ["xml", "flat", "ecs", "evtxdump"];
const JSON_LAYOUTS = [
  "lines",
  "crlf",
  "pretty",
  "array",
  "array-col0",
  "same-line",
  "unindented",
  "record-lines",
] as const;
const XML_LAYOUTS = ["lines", "one-line", "pretty", "wrapper", "crlf"] as const;
const JSON_TWISTS = [
  "none",
  "escape-letters",
  "escape-all",
  "unicode-escapes",
  "escape-dot",
  "repeat-key-before",
  "repeat-key-after",
  "truncate",
  "junk",
  "bad-json",
  "deep",
] as const;
const XML_TWISTS = [
  "none",
  "char-refs",
  "cdata",
  "comment",
  "repeat-data",
  "ns-prefix",
  "truncate",
  "junk",
  "cr-in-value",
  "dup-attr",
  "unicode-refs",
  "removed-refs",
] as const;

interface RecordSpec {
  kind: "background" | "truePositive" | "decoy";
  seed: number;
  twist: number;
}

/** Replaces ASCII letters inside JSON string literals by `\u00XX` escapes, each with chance `p`. */
function escapeLetters(json: string, rng: Prng, p: number): string {
  return json.replace(/"((?:[^"\\]|\\.)*)"/g, (_m, body: string) => {
    let out = "";
    for (let i = 0; i < body.length; i++) {
      const c = body[i] as string;
      if (c === "\\") {
        out += body.slice(i, i + 2);
        i++;
        continue;
      }
      if (/[A-Za-z]/.test(c) && rng.chance(p)) {
        const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
        out += `\\u${rng.chance(0.5) ? hex : hex.toUpperCase()}`;
      } else out += c;
    }
    return `"${out}"`;
  });
}

function jsonTwist(text: string, twist: (typeof JSON_TWISTS)[number], rng: Prng, format: TextFormat): string {
  const key =
    format === "flat"
      ? ["TargetFilename", "EventID", "Image", "Hostname"]
      : format === "ecs"
        ? ["winlog", "event", "host"]
        : ["Event"];
  switch (twist) {
    case "escape-letters":
      return escapeLetters(text, rng, 1 / 3);
    case "escape-all":
      return escapeLetters(text, rng, 1);
    case "unicode-escapes":
      // Lone and paired surrogates and non-ASCII escapes inside every value with lsass.
      return text.replace(/lsass/gi, (m) => `${m}\\ud800x\\ud83d\\ude00\\u00e9\\udc00`);
    case "escape-dot":
      // `.dmp` with its dot (or a letter) written as an escape.
      return text.replace(/\.(dmp)/gi, (_m, d: string) =>
        rng.chance(0.5) ? `\\u002e${d}` : `.${d.slice(0, 2)}\\u0070`,
      );
    case "repeat-key-before":
      return `{"${rng.pick(key)}":${rng.pick(['"C:\\\\lsass.dmp"', "11", "{}", "null"])},${text.slice(1)}`;
    case "repeat-key-after":
      return `${text.slice(0, -1)},"${rng.pick(key)}":${rng.pick(['"x.txt"', "1", '{"a":1}', "[]", '"11"'])}}`;
    case "truncate":
      return text.slice(0, rng.range(1, Math.max(2, text.length - 1)));
    case "junk":
      return rng.pick(["Record 42", "garbage {", "]", "\t", `"lsass.dmp taskmgr"`]);
    case "bad-json":
      return `${text.slice(0, -1)},}`;
    case "deep":
      return `${text.slice(0, -1)},"deep":${"[".repeat(1100)}${"]".repeat(1100)}}`;
    default:
      return text;
  }
}

function xmlTwist(text: string, twist: (typeof XML_TWISTS)[number], rng: Prng): string {
  switch (twist) {
    case "char-refs":
      // Letters of character data written as references.
      return text.replace(/>([^<]+)</g, (_m, data: string) => {
        let out = "";
        for (const c of data) {
          if (/[A-Za-z]/.test(c) && rng.chance(1 / 3)) {
            const cp = c.charCodeAt(0);
            out += rng.chance(0.5) ? `&#${cp};` : `&#x${cp.toString(16)};`;
          } else out += c;
        }
        return `>${out}<`;
      });
    case "cdata":
      return text.replace(/(<Data Name=['"]TargetFilename['"]>)([^<]*)</, "$1<![CDATA[$2]]><");
    case "comment":
      return text.replace("</System>", "<!-- lsass.dmp taskmgr.exe --></System>");
    case "repeat-data":
      return rng.chance(0.5)
        ? text.replace("<EventData>", "<EventData><Data Name='TargetFilename'>C:\\x.txt</Data>")
        : text.replace("</EventData>", "<Data Name='TargetFilename'>C:\\other\\lsass.dmp</Data></EventData>");
    case "ns-prefix":
      return text.replace(/<Computer>([^<]*)<\/Computer>/, "<e:Computer xmlns:e='urn:x'>$1</e:Computer>");
    case "truncate":
      return text.slice(0, rng.range(1, Math.max(2, text.length - 1)));
    case "junk":
      return rng.pick(["text between events", "<Events>", "lsass.dmp", "<Event/>", "<!-- <Event> -->"]);
    case "cr-in-value":
      return text.replace(/(<Computer>)([^<]*)</, "$1$2\r\n<");
    case "unicode-refs":
      return text.replace(/lsass/gi, (m) => `${m}&#xD800;&#x1F600;&nbsp;&amp;&#233;&euro;`);
    case "removed-refs":
      // References the parser removes, inside `.dmp`, `lsass` and `taskmgr`.
      return text
        .replace(/\.dmp/gi, (m) => `${m.slice(0, 2)}&#0;${m.slice(2)}`)
        .replace(/lsass/gi, (m) => `${m.slice(0, 2)}&#xD800;${m.slice(2)}`)
        .replace(/taskmgr/gi, (m) => `${m.slice(0, 4)}&#x1;${m.slice(4)}`);
    case "dup-attr":
      return text.replace(/<Provider Name=(['"])([^'"]*)\1/, "<Provider Name='Other' Name=$1$2$1");
    default:
      return text;
  }
}

function record(spec: RecordSpec, format: TextFormat): string {
  const rng = new Prng(spec.seed);
  const text = randomRecord(rng, format, spec.kind)
    .bytes.toString("utf8")
    .replace(/\r?\n$/, "");
  if (format === "xml") return xmlTwist(text, XML_TWISTS[spec.twist % XML_TWISTS.length] ?? "none", rng);
  return jsonTwist(text, JSON_TWISTS[spec.twist % JSON_TWISTS.length] ?? "none", rng, format);
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Pretty-printed without indentation (`json.dumps(indent=0)`): nested `{` at column 0. */
function unindentedJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 1).replace(/^ +/gm, "");
  } catch {
    return text;
  }
}

function layOut(records: string[], format: TextFormat, layout: number, bom: boolean): Buffer {
  let text: string;
  if (format === "xml") {
    const l = XML_LAYOUTS[layout % XML_LAYOUTS.length];
    if (l === "one-line") text = records.join("");
    else if (l === "pretty") text = records.map((r) => r.replace(/></g, ">\n  <")).join("\n");
    else if (l === "wrapper")
      text = `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${records.join("\n")}\n</Events>\n`;
    else if (l === "crlf") text = `${records.join("\r\n")}\r\n`;
    else text = `${records.join("\n")}\n`;
  } else {
    const l = JSON_LAYOUTS[layout % JSON_LAYOUTS.length];
    if (l === "crlf") text = `${records.join("\r\n")}\r\n`;
    else if (l === "pretty") text = `${records.map(prettyJson).join("\n")}\n`;
    else if (l === "array")
      text = `[\n${records.map((r) => `  ${prettyJson(r).replace(/\n/g, "\n  ")}`).join(",\n")}\n]\n`;
    else if (l === "array-col0") text = `[${records.join(",\n")}]\n`;
    else if (l === "same-line") text = `${records.join(" ")}\n`;
    else if (l === "unindented") text = `${records.map(unindentedJson).join("\n")}\n`;
    else if (l === "record-lines") text = records.map((r, i) => `Record ${i + 1}\n${prettyJson(r)}\n`).join("");
    else text = `${records.join("\n")}\n`;
  }
  return Buffer.from(bom ? `\ufeff${text}` : text, "utf8");
}

async function* split(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...cuts.map((c) => Math.floor(c * bytes.length))].sort((a, b) => a - b)) {
    if (cut > from) {
      yield bytes.subarray(from, cut);
      from = cut;
    }
  }
  yield bytes.subarray(from);
}

async function scan(engine: Engine, bytes: Buffer, format: TextFormat, cuts: number[]): Promise<[Row[], ScanStats]> {
  const agg = new Aggregates();
  const stats = await engine.scanStream(split(bytes, cuts), format, (e) => agg.add(e));
  return [toRows(agg.entries()), stats];
}

const recordSpec: fc.Arbitrary<RecordSpec> = fc.record({
  kind: fc.constantFrom("background", "truePositive", "truePositive", "decoy"),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  twist: fc.nat({ max: 40 }),
});

const caseArb = fc.record({
  format: fc.constantFrom(...FORMATS),
  records: fc.array(recordSpec, { minLength: 1, maxLength: 12 }),
  layout: fc.nat({ max: 15 }),
  bom: fc.boolean(),
  blockBytes: fc.oneof(fc.integer({ min: 16, max: 200 }), fc.integer({ min: 200, max: 5000 }), fc.constant(1 << 16)),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
});

function property(build: MatcherBuild, runs: number) {
  const module = loadMatcherModule(build);
  const engines = new Map<number, Engine>();
  return async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const records = c.records.map((r) => record(r, c.format));
        const bytes = layOut(records, c.format, c.layout, c.bom);
        let engine = engines.get(c.blockBytes);
        if (engine === undefined) {
          engine = createWasmEngine({ module, blockBytes: c.blockBytes });
          engines.set(c.blockBytes, engine);
        }
        const [expectedRows, expectedStats] = await scan(referenceEngine, bytes, c.format, []);
        const [rows, stats] = await scan(engine, bytes, c.format, c.cuts);
        expect(rows).toEqual(expectedRows);
        expect(stats.matches).toBe(expectedStats.matches);
        // "Malformed" means one thing in both engines: a damaged record that holds a candidate.
        expect(stats.malformedRecords).toBe(expectedStats.malformedRecords);
        expect(stats.malformedOffsets).toEqual(expectedStats.malformedOffsets);
        expect(stats.bytes).toBe(bytes.length);
      }),
      { numRuns: runs },
    );
  };
}

/** Runs per build; raise with LDS_WASM_PROPERTY_RUNS for a long soak. */
const RUNS = Number(process.env.LDS_WASM_PROPERTY_RUNS ?? 400);

describe("wasm engine = reference engine on generated mixes", () => {
  it("release build", property("release", RUNS), 600_000);
  it("debug build", property("debug", Math.ceil(RUNS / 3)), 600_000);
});
