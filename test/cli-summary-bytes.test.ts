/**
 * The summary line's byte counts and rates: a slow scan of a small input (a folder of thousands
 * of skipped files read as 1.1 kB in 1.5 s) once printed `745.4886670660494 B/s`.
 */

import { describe, expect, it } from "vitest";
import { formatBytes } from "../src/cli/scan-command.js";

describe("formatBytes", () => {
  it("whole bytes below 1 kB, also for a rate", () => {
    expect(formatBytes(1100 / 1.4755)).toBe("746 B");
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999.4)).toBe("999 B");
  });

  it("kB, MB and GB with their decimals", () => {
    expect(formatBytes(1100)).toBe("1.1 kB");
    expect(formatBytes(8_180_701)).toBe("8.2 MB");
    expect(formatBytes(1_250_000_000)).toBe("1.25 GB");
  });
});
