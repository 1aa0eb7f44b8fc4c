/**
 * Drives the browser page end to end: starts `lsass-dump-scan serve` on a free loopback port and
 * Debian's chromium (headless, through puppeteer-core), loads files through the page's
 * `#files` input and waits for `body[data-state=done]`. Every request the page makes is counted
 * and any that leaves the page's origin is recorded and refused.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { CLI, ROOT } from "./cli.js";

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";
/** Why the browser tests cannot run here, or undefined when they can. */
export const BROWSER_MISSING: string | undefined = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is absent (apt-get install -y chromium)`
  : !existsSync(join(ROOT, "dist", "web", "index.html"))
    ? "dist/web/ is not built (npm run build)"
    : undefined;

/** A served page in a headless browser. */
export interface BrowserSession {
  url: string;
  origin: string;
  browser: Browser;
  page: Page;
  /** URLs of every request the page made. */
  requests: string[];
  /** Requests to any other origin (refused). */
  foreign: string[];
  /** Folder chromium downloads into. */
  downloads: string;
  close(): Promise<void>;
}

function startServer(cli: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cli, "serve", "--port", "0", "--host", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString("utf8");
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
      if (url !== undefined) resolve({ child, url });
    });
    child.once("exit", (code) => reject(new Error(`serve exited (${code}) before printing its URL: ${out}`)));
  });
}

/** Serves the page (with the CLI at `cli`), launches chromium and opens the page, ready for files. */
export async function openPage(cli: string = CLI): Promise<BrowserSession> {
  const { launch } = await import("puppeteer-core");
  const { child, url } = await startServer(cli);
  const profile = mkdtempSync(join(tmpdir(), "lds-chromium-"));
  const downloads = mkdtempSync(join(tmpdir(), "lds-downloads-"));
  const browser = await launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      `--user-data-dir=${profile}`,
    ],
    defaultViewport: { width: 1280, height: 900 },
  });
  const page = await browser.newPage();
  const origin = new URL(url).origin;
  const requests: string[] = [];
  const foreign: string[] = [];
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const target = request.url();
    requests.push(target);
    if (target.startsWith("blob:") || target.startsWith("data:") || new URL(target).origin === origin) {
      void request.continue();
    } else {
      foreign.push(target);
      void request.abort();
    }
  });
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  await page.goto(url);
  await page.waitForSelector("body[data-state=ready]", { timeout: 30_000 });
  return {
    url,
    origin,
    browser,
    page,
    requests,
    foreign,
    downloads,
    async close() {
      await browser.close();
      child.kill("SIGTERM");
      rmSync(profile, { recursive: true, force: true });
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}

/** Gives the files to the page's `#files` input and waits until the scan is done. */
export async function scanInPage(
  session: BrowserSession,
  files: readonly string[],
  timeoutMs = 120_000,
): Promise<void> {
  const { page } = session;
  // Cleared first, so that the same files picked again are a change too.
  await page.evaluate('document.body.dataset.state = "picking"; document.getElementById("files").value = ""');
  const input = await page.$("#files");
  if (input === null) throw new Error("the page has no #files input");
  await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(...files);
  await page.waitForSelector("body[data-state=done]", { timeout: timeoutMs });
}

/** Clicks a download link and returns the downloaded file's bytes. */
export async function download(session: BrowserSession, selector: string, fileName: string): Promise<Buffer> {
  const path = join(session.downloads, fileName);
  rmSync(path, { force: true });
  await session.page.click(selector);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (existsSync(path) && !readdirSync(session.downloads).some((f) => f.endsWith(".crdownload"))) {
      return readFileSync(path);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no download of ${fileName} from ${selector}`);
}

/** Every file under `dir`, recursively, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}
