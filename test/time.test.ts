/**
 * Event times (src/rule/time.ts): every layout the formats write, Velociraptor's seconds since
 * 1970 included, normalized to one comparable UTC form; ctime cuts the fraction.
 */

import { describe, expect, it } from "vitest";
import { ctime, normalizeTime } from "../src/rule/time.js";

describe("normalizeTime", () => {
  it("reads Sysmon's UtcTime, XML SystemTime and ECS @timestamp as the same instant", () => {
    expect(normalizeTime("2020-09-22 08:38:27.371")).toBe("2020-09-22T08:38:27.371000000");
    expect(normalizeTime("2020-09-22T08:38:27.3710000Z")).toBe("2020-09-22T08:38:27.371000000");
    expect(normalizeTime("2020-09-22T10:38:27.371+02:00")).toBe("2020-09-22T08:38:27.371000000");
  });

  it("reads seconds since 1970 (Velociraptor parse_evtx) with their fraction, cut not rounded by ctime", () => {
    expect(normalizeTime(1600763907.3710001)).toBe("2020-09-22T08:38:27.371000000");
    expect(normalizeTime(1600763907.9999998)).toBe("2020-09-22T08:38:27.999999800");
    expect(ctime(normalizeTime(1600763907.9999998))).toBe("2020-09-22T08:38:27");
    expect(normalizeTime(1600763907)).toBe("2020-09-22T08:38:27.000000000");
    expect(normalizeTime(0.0000005)).toBe("1970-01-01T00:00:00.000000500");
  });

  it("keeps the order of numeric times for min/max", () => {
    const a = normalizeTime(1600763907.25);
    const b = normalizeTime(1600763907.5);
    expect(a < b).toBe(true);
  });

  it("gives no time for numbers that are not a date", () => {
    expect(normalizeTime(-1)).toBe("");
    expect(normalizeTime(Number.NaN)).toBe("");
    expect(normalizeTime(Number.POSITIVE_INFINITY)).toBe("");
    expect(normalizeTime(1e15)).toBe("");
  });
});
