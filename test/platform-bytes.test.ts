/**
 * The browser build's byte helpers (src/platform/bytes.browser.ts) give exactly what the Node
 * ones (src/platform/bytes.ts: Buffer, node:zlib) give, on random bytes: UTF-8 with invalid
 * sequences, Latin-1, UTF-16LE with lone surrogates at odd offsets, search, concat, CRC-32.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as browser from "../src/platform/bytes.browser.js";
import * as node from "../src/platform/bytes.js";

const bytes = fc.uint8Array({ maxLength: 600 });

describe("src/platform: the browser byte helpers equal the Node ones", () => {
  it("UTF-8 and Latin-1 text of any range", () => {
    fc.assert(
      fc.property(bytes, fc.nat(), fc.nat(), (b, x, y) => {
        const start = b.length === 0 ? 0 : x % (b.length + 1);
        const end = start + (b.length === 0 ? 0 : y % (b.length - start + 1));
        expect(browser.utf8Text(b, start, end)).toBe(node.utf8Text(b, start, end));
        expect(browser.latin1Text(b, start, end)).toBe(node.latin1Text(b, start, end));
        expect(browser.utf8Text(b)).toBe(node.utf8Text(b));
      }),
    );
  });

  it("UTF-16LE at any offset, lone surrogates kept", () => {
    fc.assert(
      fc.property(bytes, fc.nat(), (b, x) => {
        const at = b.length === 0 ? 0 : x % b.length;
        const units = Math.floor((b.length - at) / 2);
        expect(browser.utf16leText(b, at, units)).toBe(node.utf16leText(b, at, units));
      }),
    );
    const lone = Uint8Array.of(0x41, 0x00, 0x00, 0xd8, 0x42, 0x00);
    expect(browser.utf16leText(lone, 0, 3)).toBe("A\ud800B");
  });

  it("search, concat and CRC-32", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300, max: 3 }),
        fc.uint8Array({ minLength: 1, maxLength: 4, max: 3 }),
        fc.nat(),
        (hay, needle, x) => {
          const from = x % (hay.length + 1);
          expect(browser.indexOfBytes(hay, needle, from)).toBe(node.indexOfBytes(hay, needle, from));
          expect([...browser.concatBytes([hay, needle, hay])]).toEqual([...node.concatBytes([hay, needle, hay])]);
          expect(browser.crc32(hay)).toBe(node.crc32(hay));
          expect(browser.crc32(needle, browser.crc32(hay))).toBe(node.crc32(needle, node.crc32(hay)));
        },
      ),
    );
    expect([...browser.latin1Bytes("<Event\u00ff")]).toEqual([...node.latin1Bytes("<Event\u00ff")]);
  });

  it("CRC-32 of any bytes at any alignment (the word-at-a-time path and its edges)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(7), fc.nat(2000), fc.nat(), (b, from, to, seed) => {
        const view = b.subarray(Math.min(from, b.length), Math.max(Math.min(from, b.length), Math.min(to, b.length)));
        expect(browser.crc32(view)).toBe(node.crc32(view));
        expect(browser.crc32(view, seed >>> 0)).toBe(node.crc32(view, seed >>> 0));
      }),
    );
    const chunk = new Uint8Array(65536).map((_, i) => (i * 2654435761) >>> 24);
    expect(browser.crc32(chunk.subarray(512))).toBe(node.crc32(chunk.subarray(512)));
  });
});
