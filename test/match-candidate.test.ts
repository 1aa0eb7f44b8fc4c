/**
 * The predicate that gives "malformed" one meaning in both engines (src/formats/match-candidate.ts):
 * a damaged record counts when its bytes hold a prefilter candidate.
 */

import { describe, expect, it } from "vitest";
import { holdsMatchCandidate } from "../src/formats/match-candidate.js";

const has = (text: string, json: boolean) => holdsMatchCandidate(Buffer.from(text, "latin1"), json);

describe("holdsMatchCandidate", () => {
  it("`.dmp` in any case, whole", () => {
    expect(has('{"TargetFilename":"C:\\\\lsass.DmP"', true)).toBe(true);
    expect(has("<Data>lsass.dmp</Data>", false)).toBe(true);
    expect(has('{"a":"x.dm', true)).toBe(false);
    expect(has('{"Image":"C:\\\\Windows\\\\Taskmgr.exe"', true)).toBe(false);
  });

  it("JSON: a \\u00XX escape giving `.`, d, m or p; a cut one counts, a settled other one does not", () => {
    expect(has('{"a":"x\\u002edmp"', true)).toBe(true);
    expect(has('{"a":"x\\u0044"', true)).toBe(true);
    expect(has('{"a":"x\\u00e9"', true)).toBe(false);
    expect(has('{"a":"x\\u00', true)).toBe(true); // cut by the end of the input: undecided
    expect(has('{"a":"x\\u00\n', true)).toBe(false); // a line feed settles it
  });

  it("XML: a numeric reference giving one of them, or one the reference parser removes", () => {
    expect(has("<Data>x&#46;dmp</Data>", false)).toBe(true);
    expect(has("<Data>x&#x6D;</Data>", false)).toBe(true);
    expect(has("<Data>x&#1;</Data>", false)).toBe(true);
    expect(has("<Data>x&#233;</Data>", false)).toBe(false);
    expect(has("<Data>x&amp;</Data>", false)).toBe(false);
  });
});
