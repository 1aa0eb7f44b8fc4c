/**
 * The AssemblyScript matcher's parts through the TypeScript boundary, on both builds: the
 * prefilter at every offset of a 64-byte window and at buffer ends, ASCII case folding, escape
 * candidates, and the JSON/XML decoders against JSON.parse and the reference XML parser.
 */

import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { CANDIDATE, Matcher } from "../src/wasm/matcher.js";
import { loadMatcherModule, type MatcherBuild } from "../src/wasm/module.js";

const BUILDS: MatcherBuild[] = ["release", "debug"];
/** Filler with none of the anchors' byte pairs: no `.?m`, no `\?0`, no `&#`. */
const FILLER = "The quick brown fox jumps over the dog, 0123456789 QWERTY xyz. ";

function filled(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = FILLER.charCodeAt(i % FILLER.length);
  return out;
}

function put(m: Matcher, bytes: Uint8Array): void {
  m.input.set(bytes, 0);
  // Stale bytes after the data must not create candidates: fill the tail with `.dmp`.
  const junk = new TextEncoder().encode(".dmp.dmp.dmp");
  for (let i = bytes.length; i < Math.min(m.capacity, bytes.length + 600); i++) {
    m.input[i] = junk[(i - bytes.length) % junk.length] as number;
  }
}

function allCandidates(m: Matcher, end: number, format: "xml" | "flat"): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  for (;;) {
    const at = m.nextCandidate(from, end, format);
    if (at < 0) return out;
    out.push([at, m.candidateKind()]);
    from = at + 1;
  }
}

describe.each(BUILDS)("matcher (%s build)", (build) => {
  const m = new Matcher(loadMatcherModule(build), 1 << 16);

  it("finds no candidate in filler", () => {
    const bytes = filled(4096);
    put(m, bytes);
    expect(allCandidates(m, bytes.length, "flat")).toEqual([]);
    expect(allCandidates(m, bytes.length, "xml")).toEqual([]);
  });

  it("finds .dmp at every offset of a 64-byte window, across step boundaries too", () => {
    for (const base of [0, 192, 240, 256 - 32, 512 - 40]) {
      for (let off = 0; off < 64; off++) {
        const bytes = filled(1024);
        bytes.set(new TextEncoder().encode(".dmp"), base + off);
        put(m, bytes);
        expect(allCandidates(m, bytes.length, "flat")).toEqual([[base + off, CANDIDATE.dmp]]);
        // Starting the search anywhere up to the hit still finds it.
        expect(m.nextCandidate(base + off, bytes.length, "xml")).toBe(base + off);
        expect(m.nextCandidate(base + off + 1, bytes.length, "xml")).toBe(-1);
      }
    }
  });

  it("finds .dmp that ends exactly at the end, and not one cut by the end", () => {
    for (const length of [4, 5, 17, 63, 64, 65, 255, 256, 257, 300]) {
      const bytes = filled(length);
      bytes.set(new TextEncoder().encode(".DMP"), length - 4);
      put(m, bytes);
      expect(m.nextCandidate(0, length, "flat")).toBe(length - 4);
      expect(m.nextCandidate(0, length - 1, "flat")).toBe(-1);
      expect(m.nextCandidate(0, length, "xml")).toBe(length - 4);
    }
    put(m, new Uint8Array(0));
    expect(m.nextCandidate(0, 0, "flat")).toBe(-1);
  });

  it("folds ASCII case only", () => {
    const hits = [".dmp", ".DMP", ".DmP", ".dMp"];
    const misses = ["dmp", ",dmp", ".dm", ".dnp", ".d p", "\x0edmp", ".d\x0dp", ".\u00c4mp", "\u00aedmp", "..mp"];
    for (const word of [...hits, ...misses]) {
      const bytes = filled(200);
      const encoded = Buffer.from(word, "latin1");
      bytes.set(encoded, 70);
      put(m, bytes);
      const found = m.nextCandidate(0, bytes.length, "flat");
      expect(found, word).toBe(hits.includes(word) ? 70 : -1);
    }
  });

  it("reports escapes that may be a character of .dmp (or vanish, in XML)", () => {
    const cases: [string, "flat" | "xml", number][] = [
      ["\\u002e", "flat", 1],
      ["\\u0064", "flat", 1],
      ["\\u004D", "flat", 1],
      ["\\u0070", "flat", 1],
      ["\\u0050", "flat", 1],
      ["\\u0073", "flat", 0],
      ["\\u0062", "flat", 0],
      ["\\u00e9", "flat", 0],
      ["\\u0100", "flat", 0],
      ["\\\\users", "flat", 0],
      ["\\\\0.0.1", "flat", 0],
      ["&#46;", "xml", 1],
      ["&#x64;", "xml", 1],
      ["&#X4d;", "xml", 1],
      ["&#112;", "xml", 1],
      ["&#0;", "xml", 1],
      ["&#1;", "xml", 1],
      ["&#xD800;", "xml", 1],
      ["&#9;", "xml", 0],
      ["&#108;", "xml", 0],
      ["&#x6cq;", "xml", 1],
      ["&#112", "xml", 0],
      ["&amp;", "xml", 0],
      ["\\u0064", "xml", 0],
      ["&#112;", "flat", 0],
    ];
    for (const [text, format, count] of cases) {
      const bytes = filled(300);
      bytes.set(Buffer.from(text, "latin1"), 100);
      put(m, bytes);
      const found = allCandidates(m, bytes.length, format);
      expect(found.length, `${text} in ${format}`).toBe(count);
      if (count === 1) expect(found[0]).toEqual([100, CANDIDATE.escape]);
    }
  });

  it("decodes JSON string bodies as JSON.parse does", () => {
    const strings = [
      "plain",
      "C:\\Windows\\System32\\taskmgr.exe",
      'quote " and \\ and / and \b\f\n\r\t',
      "\u006c\u0073ass.dmp",
      "caf\u00e9 \u65e5\u672c \ud83d\ude00",
      "\u0000\u001f",
    ];
    for (const s of strings) {
      const body = JSON.stringify(s).slice(1, -1);
      const escaped = body.replace(/l/g, "\\u006c").replace(/s/g, "\\u0073");
      for (const text of [body, escaped]) {
        const raw = Buffer.from(text, "utf8");
        m.input.set(raw, 0);
        const decoded = m.decodeJsonString(0, raw.length);
        expect(Buffer.from(decoded ?? []).toString("utf8"), text).toBe(JSON.parse(`"${text}"`));
      }
    }
  });

  it("writes a lone surrogate as WTF-8 and rejects invalid escapes", () => {
    const lone = Buffer.from("a\\ud800b", "latin1");
    m.input.set(lone, 0);
    expect([...(m.decodeJsonString(0, lone.length) ?? [])]).toEqual([0x61, 0xed, 0xa0, 0x80, 0x62]);
    for (const bad of ["\\x", "\\u12", "\\u12g4", "tail\\"]) {
      const raw = Buffer.from(bad, "latin1");
      m.input.set(raw, 0);
      expect(m.decodeJsonString(0, raw.length), bad).toBeUndefined();
    }
  });

  it("decodes XML character data as the reference XML parser does", () => {
    const parser = new XMLParser({
      ignoreAttributes: false,
      parseTagValue: false,
      trimValues: false,
      processEntities: true,
      htmlEntities: true,
    });
    const texts = [
      "plain",
      "a &amp; b &lt;c&gt; &quot;q&quot; &apos;s&apos;",
      "&#108;&#x73;&#X61;&#0115;&#x0073;.dmp",
      "nbsp&nbsp;copy&copy;euro&euro;birr&birr;dollar&dollar;",
      "null&#0;sur&#xD800;ctl&#1;tab&#9;",
      "big&#1114112;&#9999999;",
      "unknown &foo; &; & alone &#; &#x;",
      "far &aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;",
      "&amp;#108; double",
      "\u00e9t\u00e9 &#233; &#x65e5;",
    ];
    for (const text of texts) {
      const raw = Buffer.from(text, "utf8");
      m.input.set(raw, 0);
      const decoded = Buffer.from(m.decodeXmlText(0, raw.length)).toString("utf8");
      const expected = (parser.parse(`<a>${text}</a>`) as { a: string }).a;
      expect(decoded, text).toBe(expected);
    }
  });
});
