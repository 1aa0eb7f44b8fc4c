/**
 * The wasm EVTX prefilter against a reference finder so simple it is obviously right: every
 * byte offset where `.dmp` starts, ASCII letters case-folded, as UTF-16LE code units or as
 * 8-bit characters. Seeds for the edges (odd offsets, the last bytes of the input, near misses,
 * more candidates than one wasm call returns), then random buffers; release and debug builds.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EvtxPrefilter } from "../src/wasm/evtx-prefilter.js";
import { loadMatcherModule } from "../src/wasm/module.js";

const NEEDLE = ".dmp";

function lowerAscii(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** Reference: offsets where `.dmp` starts in 8 bits or in UTF-16LE, ignoring ASCII case. */
function referenceCandidates(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    let narrow = i + NEEDLE.length <= bytes.length;
    for (let k = 0; narrow && k < NEEDLE.length; k++) {
      narrow = lowerAscii(bytes[i + k] as number) === NEEDLE.charCodeAt(k);
    }
    let wide = i + 2 * NEEDLE.length <= bytes.length;
    for (let k = 0; wide && k < NEEDLE.length; k++) {
      wide = lowerAscii(bytes[i + 2 * k] as number) === NEEDLE.charCodeAt(k) && bytes[i + 2 * k + 1] === 0;
    }
    if (narrow || wide) out.push(i);
  }
  return out;
}

function utf16(s: string): number[] {
  return [...s].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]);
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

const SEEDS: [string, number[]][] = [
  ["8-bit", ascii("xx.dmpxx")],
  ["8-bit upper", ascii(".DMP")],
  ["8-bit mixed case", ascii("..lsass.DmP.")],
  ["UTF-16 even offset", [0, 0, ...utf16(".dmp")]],
  ["UTF-16 odd offset", [0, ...utf16("LSASS.DMP")]],
  ["UTF-16 ends the input exactly", [1, 2, 3, ...utf16(".dmp")]],
  ["UTF-16 missing its last zero byte", [1, ...utf16(".dmp").slice(0, 7)]],
  ["8-bit ends the input exactly", ascii("lsass.dmp")],
  ["8-bit cut short", ascii("lsass.dm")],
  ["near miss: .dm", [...utf16(".dm"), ...utf16("x")]],
  ["near miss: mixed widths", [...ascii("."), 0, ...ascii("dmp")]],
  ["near miss: 0x0e is not a folded dot", [0x0e, ...ascii("dmp")]],
  ["near miss: @ is not a folded letter", ascii(".dm@")],
  ["near miss: high bytes", [0xae, 0xc4, 0xcd, 0xd0]],
  ["overlapping", ascii(".dmp.dmp..dmp")],
  ["both spellings", [...ascii(".dmp"), ...utf16(".dmp"), 7, ...utf16(".DmP")]],
  ["lsass alone is no candidate", [...ascii("lsass"), ...utf16("LSASS.exe")]],
  ["empty", []],
];

for (const target of ["release", "debug"] as const) {
  describe(`EVTX prefilter (${target} wasm)`, () => {
    const prefilter = new EvtxPrefilter(loadMatcherModule(target), 1 << 20);

    function wasmCandidates(bytes: Uint8Array | number[]): number[] {
      prefilter.input.set(bytes);
      const { offsets, count } = prefilter.candidates(bytes.length);
      return [...offsets.subarray(0, count)];
    }

    for (const [name, bytes] of SEEDS) {
      it(`seed: ${name}`, () => {
        const expected = referenceCandidates(Uint8Array.from(bytes));
        expect(wasmCandidates(bytes)).toEqual(expected);
      });
    }

    it("finds a pattern at every position relative to the 64-byte steps, at every input length", () => {
      for (const pattern of [utf16(".dmp"), ascii(".DMP")]) {
        for (let length = 4; length < 150; length++) {
          for (let at = 0; at + pattern.length <= length; at++) {
            const bytes = new Uint8Array(length).fill(0x41);
            bytes.set(pattern, at);
            expect(wasmCandidates(bytes)).toEqual(referenceCandidates(bytes));
          }
        }
      }
    });

    it("returns more candidates than one wasm call holds (16384), in order", () => {
      const bytes = Uint8Array.from(ascii(".dmp".repeat(40_000)));
      const found = wasmCandidates(bytes);
      expect(found.length).toBe(40_000);
      expect(found).toEqual(referenceCandidates(bytes));
    });

    it("tells whether a range holds taskmgr, in either spelling and any case, at any offset", () => {
      const cases: [number[], boolean][] = [
        [ascii("C:\\Windows\\System32\\Taskmgr.exe"), true],
        [[0, ...utf16("TASKMGR")], true],
        [[7, 7, 7, ...utf16("taskmgr")], true],
        [ascii("taskmg"), false],
        [utf16("taskmgx"), false],
        [[...ascii("t"), 0, ...ascii("askmgr")], false],
        [[], false],
      ];
      for (const [bytes, expected] of cases) {
        for (let at = 0; at < 40; at += 13) {
          const padded = [...new Array<number>(at).fill(0x41), ...bytes, ...new Array<number>(50).fill(0x42)];
          prefilter.input.set(padded);
          expect(prefilter.containsTaskmgr(at, bytes.length)).toBe(expected);
          expect(prefilter.containsTaskmgr(0, padded.length)).toBe(expected);
        }
      }
    });

    it("agrees with the reference on random bytes with planted spellings", () => {
      const alphabet = fc.constantFrom(0, 0x2e, 0x0e, 0x44, 0x64, 0x4d, 0x6d, 0x50, 0x70, 0x20, 0xff);
      const chunk = fc.oneof(
        fc.array(alphabet, { maxLength: 80 }),
        fc.constant(ascii(".dmp")),
        fc.constant(utf16(".DMP")),
        fc.constant(utf16(".dm")),
      );
      fc.assert(
        fc.property(fc.array(chunk, { maxLength: 30 }), (parts) => {
          const bytes = Uint8Array.from(parts.flat());
          expect(wasmCandidates(bytes)).toEqual(referenceCandidates(bytes));
        }),
        { numRuns: 300 },
      );
    });
  });
}
