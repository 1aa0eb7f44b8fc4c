/**
 * The browser page end to end (issue 15): `serve`, headless Debian chromium through
 * puppeteer-core, the public corpus given to the page's file input. Rows equal EXPECTED.jsonl,
 * the JSONL and CSV downloads equal the CLI's bytes, no request leaves the page's origin, and a
 * damaged file shows a problem while the rest is scanned. Skips with a message when chromium
 * (Debian package `chromium`), the built page or the corpus is absent.
 * `LSASS_DUMP_SCAN_SCREENSHOT=1` also writes docs/browser.png (the README's screenshot).
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCorpus } from "../src/generate/corpus.js";
import { BROWSER_MISSING, type BrowserSession, download, filesUnder, openPage, scanInPage } from "./helpers/browser.js";
import { CORPUS, HAVE_CORPUS, ROOT, runCli, tempDir } from "./helpers/cli.js";
import { buildEvtx, sysmonRecord } from "./helpers/evtx-writer.js";

const why = BROWSER_MISSING ?? (HAVE_CORPUS ? undefined : `${CORPUS} is absent`);
if (why !== undefined) console.warn(`skipping the browser tests: ${why}`);

describe.skipIf(why !== undefined)("the browser page (chromium, puppeteer-core)", () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openPage();
  });
  afterAll(async () => {
    await session?.close();
  });

  const tableRows = () =>
    session.page.$$eval("#rows tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent ?? "")));
  const problems = () => session.page.$$eval("#problems li", (lis) => lis.map((li) => li.textContent ?? ""));

  it("the corpus through the file input: the rows of EXPECTED.jsonl, downloads equal to the CLI's bytes", async () => {
    const files = filesUnder(CORPUS);
    await scanInPage(session, files);
    const expected = readFileSync(join(CORPUS, "EXPECTED.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const shown = await tableRows();
    expect(shown).toEqual(
      expected.map((r) =>
        ["dest", "process_name", "TargetFilename", "count", "firstTime", "lastTime", "risk_score"].map((k) =>
          String(r[k]),
        ),
      ),
    );
    expect(await problems()).toEqual([]);
    const jsonl = await download(session, "#download-jsonl", "lsass-dump-scan.jsonl");
    const cliJsonl = runCli(["scan", ...files, "--format", "jsonl"]);
    expect(cliJsonl.stdout.length).toBeGreaterThan(0);
    expect(jsonl.toString("utf8")).toBe(cliJsonl.stdout);
    expect(jsonl.toString("utf8")).toBe(readFileSync(join(CORPUS, "EXPECTED.jsonl"), "utf8"));
    const csv = await download(session, "#download-csv", "lsass-dump-scan.csv");
    expect(csv.toString("utf8")).toBe(runCli(["scan", ...files, "--format", "csv"]).stdout);
    const events = await session.page.$$eval("#events tbody tr", (trs) => trs.length);
    expect(events).toBe(expected.reduce((n, r) => n + (r.count as number), 0));
    if (process.env.LSASS_DUMP_SCAN_SCREENSHOT === "1") {
      writeFileSync(join(ROOT, "docs", "browser.png"), await session.page.screenshot({ fullPage: true }));
    }
  });

  it("an EVTX copied only up to a chunk boundary is one problem, whole or in 64 KiB shards, as the CLI says", async () => {
    const chunks = Array.from({ length: 40 }, (_, i) => ({
      records: [
        sysmonRecord({
          computer: `ws${i}.corp.example`,
          image: "C:\\Windows\\System32\\Taskmgr.exe",
          target: `C:\\Users\\u${i}\\AppData\\Local\\Temp\\lsass.DMP`,
          time: "2024-10-16T09:51:12.1234567Z",
          recordId: BigInt(i + 1),
        }),
      ],
    }));
    const path = join(tempDir("lds-browser-"), "Microsoft-Windows-Sysmon%4Operational.evtx");
    writeFileSync(path, buildEvtx({ chunks }).bytes.subarray(0, 4096 + 25 * 65536));
    const problem =
      "Microsoft-Windows-Sysmon%4Operational.evtx: truncated: the file header counts 40 chunks, the file ends after 25 (at offset 1642496)";
    expect(runCli(["scan", "--no-progress", path]).stderr).toContain(problem);
    for (const query of ["", "?shard=65536"]) {
      await session.page.goto(`${session.url}${query}`);
      await session.page.waitForSelector("body[data-state=ready]", { timeout: 30_000 });
      await scanInPage(session, [path]);
      expect(await problems()).toEqual([problem]);
      expect((await tableRows()).length).toBe(25);
    }
  });

  it("a damaged file shows a problem naming it, and the rest is scanned (UTF-16 too), as the CLI scans it", async () => {
    const dir = tempDir("lds-browser-");
    const xml = join(CORPUS, "xml", "DERIVED_mdec_ID11_lsass_dump_via_taskmgr.xml.log");
    const big = readFileSync(join(CORPUS, "xml", "DERIVED_splunk_T1003.001_procdump_sysmon.xml.log"));
    const cut = join(dir, "cut.xml.gz");
    const gz = gzipSync(big);
    writeFileSync(cut, gz.subarray(0, gz.length >> 1));
    // The XML record again, as PowerShell's Out-File writes it: UTF-16LE with a byte order mark.
    const utf16 = join(dir, "utf16.xml");
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(xml, "utf8"), "utf16le")]));
    await scanInPage(session, [cut, xml, utf16]);
    expect((await problems()).some((p) => p.startsWith("cut.xml.gz: gzip: unexpected end of file"))).toBe(true);
    const rows = await tableRows();
    expect(rows.find((r) => r[0] === "fs03vuln.offsec.lan")?.[3]).toBe("2"); // the XML file and its UTF-16 copy
    const jsonl = await download(session, "#download-jsonl", "lsass-dump-scan.jsonl");
    const cli = runCli(["scan", cut, xml, utf16, "--format", "jsonl"]);
    expect(cli.stderr).toContain("cut.xml.gz");
    expect(jsonl.toString("utf8")).toBe(cli.stdout);
  });

  it("with 64 KiB shards (?shard=65536) the corpus gives the same rows, the big text files read in pieces", async () => {
    await session.page.goto(`${session.url}?shard=65536`);
    await session.page.waitForSelector("body[data-state=ready]", { timeout: 30_000 });
    await scanInPage(session, filesUnder(CORPUS));
    const jsonl = await download(session, "#download-jsonl", "lsass-dump-scan.jsonl");
    expect(jsonl.toString("utf8")).toBe(readFileSync(join(CORPUS, "EXPECTED.jsonl"), "utf8"));
    expect(await problems()).toEqual([]);
  });

  it("xz and zstd files, plain and tarred, give the CLI's rows; a cut .xz and a cut .zst are a problem each, in the CLI's words", async () => {
    const fixtures = join(ROOT, "test", "fixtures", "archives");
    const whole = ["tp.log.xz", "tp.tar.xz", "tp.log.zst", "tp.tar.zst"].map((n) => join(fixtures, n));
    const dir = tempDir("lds-browser-codecs-");
    const cutXz = join(dir, "cut.log.xz");
    const cutZst = join(dir, "cut.log.zst");
    for (const [to, from] of [
      [cutXz, "tp.log.xz"],
      [cutZst, "tp.log.zst"],
    ] as const) {
      const bytes = readFileSync(join(fixtures, from));
      writeFileSync(to, bytes.subarray(0, bytes.length - 40));
    }
    const files = [...whole, cutXz, cutZst];
    await session.page.goto(session.url);
    await session.page.waitForSelector("body[data-state=ready]", { timeout: 30_000 });
    await scanInPage(session, files);
    const cli = runCli(["scan", ...files, "--format", "jsonl"]);
    const jsonl = await download(session, "#download-jsonl", "lsass-dump-scan.jsonl");
    expect(cli.stdout.length).toBeGreaterThan(0);
    expect(jsonl.toString("utf8")).toBe(cli.stdout);
    const cliProblems = cli.stderr
      .split("\n")
      .filter((line) => line.startsWith("lsass-dump-scan: /"))
      .map((line) => line.slice("lsass-dump-scan: ".length).replace(`${dir}/`, ""))
      .sort();
    expect(cliProblems).toEqual([
      "cut.log.xz: unexpected end of file (truncated xz)",
      "cut.log.zst: unexpected end of file (truncated zstd)",
    ]);
    expect((await problems()).sort()).toEqual(cliProblems);
  });

  it("Cancel stops a scan, and the next scan runs on fresh workers", async () => {
    // 48 MiB in 4 KiB shards: ~12,000 tasks, seconds of work even on a quiet machine, so the
    // scan is still running when Cancel is clicked (the corpus alone can finish first).
    const big = join(tempDir("lds-browser-cancel-"), "big.xml");
    await generateCorpus({ format: "xml", size: 48 * 1024 * 1024, seed: 3, hitsPerGb: 64, out: big });
    await session.page.goto(`${session.url}?shard=4096`);
    await session.page.waitForSelector("body[data-state=ready]", { timeout: 30_000 });
    await session.page.evaluate('document.getElementById("files").value = ""');
    const input = await session.page.$("#files");
    await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(
      big,
      ...filesUnder(CORPUS),
    );
    await session.page.waitForSelector("body[data-state=scanning]", { timeout: 30_000 });
    // A DOM click: a mouse click at the button's coordinates can miss when the page's layout moves
    // under it (progress text, rows) between puppeteer measuring the box and pressing.
    await session.page.$eval("#cancel", (button) => (button as HTMLButtonElement).click());
    await session.page.waitForSelector("body[data-state=cancelled], body[data-state=done]", { timeout: 30_000 });
    expect(await session.page.evaluate("document.body.dataset.state"), "the scan ended before the click").toBe(
      "cancelled",
    );
    expect(await session.page.$eval("#progress-text", (e) => e.textContent)).toBe("Cancelled.");
    expect(await tableRows()).toEqual([]);
    await scanInPage(session, [join(CORPUS, "xml", "DERIVED_mdec_ID11_lsass_dump_via_taskmgr.xml.log")]);
    expect((await tableRows()).map((r) => r[0])).toEqual(["fs03vuln.offsec.lan"]);
  });

  it("no request left the page's origin, and the page loaded only its own files", () => {
    expect(session.foreign).toEqual([]);
    const paths = new Set(session.requests.filter((u) => !u.startsWith("blob:")).map((u) => new URL(u).pathname));
    for (const path of paths)
      expect(["/", "/app.js", "/style.css", "/scan-worker.js", "/matcher.wasm"]).toContain(path);
  });
});
