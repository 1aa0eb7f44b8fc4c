/**
 * The browser library (`lsass-dump-scan/web`, dist/web/index.js) in Debian's chromium (sweep):
 * loaded as a page of one's own would load it, `loadMatcher()` from its default URL, then real
 * corpus files (EVTX, XML, JSON lines, and gzip) given as `File`s: `createHitStream` over
 * `file.stream()` and `scanBytes` give the hits and rows the Node build gives for the same
 * bytes, a file that is no log is a problem (not an exception), and a stream cancelled
 * mid-file stops without an error. Skips with a message when chromium (Debian package
 * `chromium`), the built page or the corpus is absent.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanBytes } from "../src/index.js";
import { BROWSER_MISSING, type BrowserSession, openPage } from "./helpers/browser.js";
import { CORPUS, HAVE_CORPUS, tempDir } from "./helpers/cli.js";

const why = BROWSER_MISSING ?? (HAVE_CORPUS ? undefined : `${CORPUS} is absent`);
if (why !== undefined) console.warn(`skipping the browser library tests: ${why}`);

/** What the page's script returns per file. */
interface FileAnswer {
  name: string;
  streamHits: unknown[];
  bytesHits: unknown[];
  rows: unknown[];
  problems: string[];
}

describe.skipIf(why !== undefined)("lsass-dump-scan/web in chromium", () => {
  let session: BrowserSession;
  const dir = tempDir("lds-browser-lib-");
  beforeAll(async () => {
    session = await openPage();
    // An input of our own, so that the page's own scan does not start on these files.
    await session.page.evaluate(
      'const i = document.createElement("input"); i.type = "file"; i.multiple = true; i.id = "lib-files"; document.body.append(i);',
    );
  });
  afterAll(async () => {
    await session?.close();
  });

  async function give(files: string[]): Promise<void> {
    await session.page.evaluate('document.getElementById("lib-files").value = ""');
    const input = await session.page.$("#lib-files");
    await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(...files);
  }

  it("createHitStream and scanBytes over real files give the Node build's hits and rows", async () => {
    const gz = join(dir, "procdump.xml.gz");
    writeFileSync(gz, gzipSync(readFileSync(join(CORPUS, "xml", "DERIVED_splunk_T1003.001_procdump_sysmon.xml.log"))));
    const files = [
      join(CORPUS, "evtx", "mdec_ID11_lsass_dump_via_taskmgr.evtx"),
      join(CORPUS, "evtx", "splunk_T1003.001_procdump_sysmon.evtx"),
      join(CORPUS, "xml", "DERIVED_mdec_ID11_lsass_dump_via_taskmgr.xml.log"),
      join(CORPUS, "jsonl", "otrf_rdp_interactive_taskmanager_lsass_dump.jsonl"),
      join(CORPUS, "json-evtxdump", "sigmahq_file_event_win_dump_file_susp_creation.json"),
      gz,
    ];
    await give(files);
    const answers = (await session.page.evaluate(`(async () => {
      const lib = await import("/index.js");
      await lib.loadMatcher();
      const out = [];
      for (const file of document.getElementById("lib-files").files) {
        const stream = lib.createHitStream();
        const streamHits = [];
        for await (const hit of file.stream().pipeThrough(stream)) streamHits.push(hit);
        const whole = lib.scanBytes(new Uint8Array(await file.arrayBuffer()));
        out.push({ name: file.name, streamHits, bytesHits: whole.hits, rows: stream.rows(), problems: stream.stats().problems });
      }
      return out;
    })()`)) as FileAnswer[];
    expect(answers.map((a) => a.name)).toEqual(files.map((f) => basename(f)));
    let hits = 0;
    for (const [i, answer] of answers.entries()) {
      const node = scanBytes(readFileSync(files[i] as string));
      expect(answer.streamHits, answer.name).toEqual(node.hits);
      expect(answer.bytesHits, answer.name).toEqual(node.hits);
      expect(answer.rows, answer.name).toEqual(JSON.parse(JSON.stringify(node.rows)));
      expect(answer.problems, answer.name).toEqual([]);
      hits += node.hits.length;
    }
    expect(hits).toBeGreaterThan(0);
  });

  it("loadMatcher from a wrong URL rejects with a ScanError naming it (a 404, a page in its place)", async () => {
    const answers = await session.page.evaluate(`(async () => {
      const lib = await import("/index.js");
      const out = [];
      for (const url of ["/no-such-matcher.wasm", "/index.html"]) {
        try { await lib.loadMatcher(url); out.push("loaded"); }
        catch (e) { out.push([e.name, e.code, e.input, e.message]); }
      }
      return out;
    })()`);
    expect(answers).toEqual([
      [
        "ScanError",
        "LDS_E_INPUT_UNREADABLE",
        "/no-such-matcher.wasm",
        "cannot load the matcher from /no-such-matcher.wasm: the server answered 404",
      ],
      [
        "ScanError",
        "LDS_E_INPUT_UNREADABLE",
        "/index.html",
        expect.stringMatching(/^cannot load the matcher from \/index.html: .*MIME/),
      ],
    ]);
  });

  it("a file that is no log is a problem in stats(), and a stream cancelled mid-file stops without an error", async () => {
    const notALog = join(dir, "photo.png");
    writeFileSync(notALog, Buffer.concat([Buffer.from("\x89PNG\r\n\x1a\n", "latin1"), Buffer.alloc(4096, 7)]));
    const big = join(CORPUS, "jsonl", "otrf_rdp_interactive_taskmanager_lsass_dump.jsonl");
    await give([notALog, big]);
    const answer = (await session.page.evaluate(`(async () => {
      const lib = await import("/index.js");
      await lib.loadMatcher();
      const [png, log] = document.getElementById("lib-files").files;
      const s = lib.createHitStream();
      const pngHits = [];
      for await (const hit of png.stream().pipeThrough(s)) pngHits.push(hit);
      const controller = new AbortController();
      const cut = lib.createHitStream();
      let read = 0;
      const counting = new TransformStream({ transform(chunk, c) { read += chunk.length; if (read > 1 << 20) controller.abort(); c.enqueue(chunk); } });
      let error = "none";
      try {
        for await (const _ of log.stream().pipeThrough(counting, { signal: controller.signal }).pipeThrough(cut)) {}
      } catch (e) { error = e.name; }
      return { pngHits: pngHits.length, problems: s.stats().problems, error, read, scanned: cut.stats().bytes, size: log.size };
    })()`)) as { pngHits: number; problems: string[]; error: string; read: number; scanned: number; size: number };
    expect(answer.pngHits).toBe(0);
    expect(answer.problems).toHaveLength(1);
    expect(answer.problems[0]).toMatch(/^unknown format: /);
    expect(answer.error).toBe("AbortError");
    expect(answer.read).toBeLessThan(answer.size);
    expect(answer.scanned).toBeLessThan(answer.size);
  });
});
