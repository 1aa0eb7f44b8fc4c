/**
 * Follow mode's pieces in process: the alert throttle (first event alerts, later ones update the
 * row until the throttle passes, an id raised again is dropped) and the state file (atomic
 * write, round trip, a damaged file refused with one line).
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Hit } from "../src/engine/hit.js";
import { AlertThrottle, followAlertId, groupKey } from "../src/follow/alert-throttle.js";
import { emptyState, loadState, saveState } from "../src/follow/state-file.js";
import { tempDir } from "./helpers/cli.js";

function hit(dest: string, time: string): Hit {
  return {
    dest,
    processName: "taskmgr.exe",
    targetFilename: "C:\\Temp\\lsass.DMP",
    time,
    offset: 0,
    length: 1,
  } as Hit;
}

const HOUR = 3_600_000;

describe("AlertThrottle", () => {
  it("alerts a group's first event, updates its row within the throttle, alerts again after it", () => {
    const t = new AlertThrottle(24 * HOUR);
    const first = t.offer(hit("WS1", "2024-03-05T10:00:00.000000000"), 0);
    expect(first?.count).toBe(1);
    expect(first?.alert_id).toBe(followAlertId(groupKey(hit("WS1", "")), "2024-03-05T10:00:00.000000000"));
    expect(t.offer(hit("WS1", "2024-03-05T11:00:00.000000000"), HOUR)).toBeUndefined();
    expect(t.offer(hit("WS2", "2024-03-05T11:00:00.000000000"), HOUR)?.dest).toBe("WS2");
    const again = t.offer(hit("WS1", "2024-03-06T12:00:00.000000000"), 25 * HOUR);
    expect(again?.count).toBe(3);
    expect(again?.firstTime).toBe("2024-03-05T10:00:00");
    expect(again?.lastTime).toBe("2024-03-06T12:00:00");
    expect(again?.alert_id).not.toBe(first?.alert_id);
  });

  it("drops an alert raised again from saved groups (a restart reading its last record again)", () => {
    const t = new AlertThrottle(0);
    const first = t.offer(hit("WS1", "2024-03-05T10:00:00.000000000"), 0);
    const restarted = new AlertThrottle(0, JSON.parse(JSON.stringify(t.snapshot())));
    expect(restarted.offer(hit("WS1", "2024-03-05T10:00:00.000000000"), 5)).toBeUndefined();
    expect(restarted.offer(hit("WS1", "2024-03-05T10:00:01.000000000"), 6)?.alert_id).not.toBe(first?.alert_id);
  });
});

describe("state file", () => {
  it("round-trips, leaves no temp file, and is read as empty when absent", () => {
    const dir = tempDir("lds-state-");
    const path = join(dir, "state.json");
    expect(loadState(path)).toEqual(emptyState());
    const state = emptyState();
    state.files["/x.log"] = {
      dev: 1,
      ino: 2,
      size: 10,
      offset: 5,
      partialHash: "p",
      headHash: "h",
      headLength: 10,
      hitEnd: 4,
      format: "flat",
    };
    saveState(path, state);
    saveState(path, state);
    expect(loadState(path)).toEqual(state);
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("refuses a damaged state file with one line naming it", () => {
    const dir = tempDir("lds-state-");
    const path = join(dir, "state.json");
    writeFileSync(path, '{"version":1,"files":');
    expect(() => loadState(path)).toThrow(/--state .*state\.json: .*move it away/);
    expect(existsSync(path) && readFileSync(path, "utf8").length > 0).toBe(true);
  });
});
