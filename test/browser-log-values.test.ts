/**
 * The page and what logs put in it (sweep): values from logs are data. A host name and a
 * TargetFilename holding HTML show as text (no element, no script run), control and
 * bidirectional characters show escaped as the CLI's table shows them, damaged records are
 * counted per file as the CLI counts them, and a file that is no log is named with why. Skips
 * with a message when chromium (Debian package `chromium`) or the built page is absent.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { terminalText } from "../src/sinks/row-format.js";
import { BROWSER_MISSING, type BrowserSession, openPage, scanInPage } from "./helpers/browser.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { flatRecord, TRUE_POSITIVE as TP, xmlEvent } from "./helpers/seed-events.js";

if (BROWSER_MISSING !== undefined) console.warn(`skipping the browser log-value tests: ${BROWSER_MISSING}`);

const HOSTILE_HOST = "WS<script>window.__pwned=1</script>\u202egnp.exe\u001b[31m";
const HOSTILE_FILE = 'C:\\Temp\\<img src=x onerror="window.__pwned=2">lsass.dmp';

describe.skipIf(BROWSER_MISSING !== undefined)("the page shows log values as data (chromium)", () => {
  let session: BrowserSession;
  const dir = tempDir("lds-browser-values-");
  beforeAll(async () => {
    session = await openPage();
  });
  afterAll(async () => {
    await session?.close();
  });

  const cells = (selector: string) =>
    session.page.$$eval(`${selector} tbody tr`, (trs) =>
      trs.map((tr) => [...tr.cells].map((td) => td.textContent ?? "")),
    );
  const listed = (id: string) => session.page.$$eval(`#${id} li`, (lis) => lis.map((li) => li.textContent ?? ""));

  it("HTML in a host name or TargetFilename is text; control and bidi characters are escaped as in the CLI's table", async () => {
    const file = join(dir, "hostile.xml");
    writeFileSync(file, `${xmlEvent({ ...TP, computer: HOSTILE_HOST, targetFilename: HOSTILE_FILE })}\n`);
    const dialogs: string[] = [];
    session.page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await scanInPage(session, [file]);
    const rows = await cells("#rows");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.[0]).toBe("WS<script>window.__pwned=1</script>\\u{202e}gnp.exe\\x1b[31m");
    expect(rows[0]?.[0]).toBe(terminalText(HOSTILE_HOST));
    expect(rows[0]?.[2]).toBe(HOSTILE_FILE);
    const events = await cells("#events");
    expect(events[0]).toContain(terminalText(HOSTILE_HOST));
    expect(events[0]).toContain(HOSTILE_FILE);
    // The CLI's table shows the same text.
    const table = runCli(["scan", file]).stdout;
    expect(table).toContain(terminalText(HOSTILE_HOST));
    const injected = await session.page.evaluate(
      '[document.querySelectorAll("#rows img, #rows script, #events img, #events script").length, window.__pwned ?? 0]',
    );
    expect(injected).toEqual([0, 0]);
    expect(dialogs).toEqual([]);
  });

  it("damaged records are counted per file, shards added up, as the CLI counts them; a file that is no log is named", async () => {
    const damaged = join(dir, "damaged.json");
    const lines: string[] = [];
    for (let i = 0; i < 3; i++) {
      lines.push(flatRecord({ ...TP, computer: "WS-A" }));
      // NUL bytes over part of a candidate record (a crash's unwritten blocks): it does not parse.
      lines.push(flatRecord({ ...TP, computer: "WS-cut" }).replace("System32", "\0".repeat(8)));
      for (let j = 0; j < 10; j++) lines.push(flatRecord({ ...TP, eventId: 1, computer: `bg-${j}` }));
    }
    writeFileSync(damaged, `${lines.join("\n")}\n`);
    const notALog = join(dir, "notes.txt");
    writeFileSync(notALog, "shopping list: milk, eggs\n");
    const cli = runCli(["scan", damaged, notALog, "--format", "jsonl", "-q"]);
    expect(cli.stderr).toContain(`3 malformed records skipped in ${damaged}`);
    await scanInPage(session, [damaged, notALog]);
    expect(await listed("problems")).toEqual(["damaged.json: 3 malformed records skipped"]);
    expect((await listed("skipped")).map((s) => s.split(":")[0])).toEqual(["notes.txt"]);
    expect(await session.page.$eval("#summary", (e) => e.textContent)).toMatch(/1 problem, 1 skipped$/);
    // The same file in 4 KiB shards: each shard's count added into one line.
    await session.page.goto(`${session.url}?shard=4096`);
    await session.page.waitForSelector("body[data-state=ready]", { timeout: 30_000 });
    await scanInPage(session, [damaged]);
    expect(await listed("problems")).toEqual(["damaged.json: 3 malformed records skipped"]);
  });
});
