/**
 * `lsass-dump-scan serve`: the real command on a free loopback port. It prints the URL, serves
 * the built page with its Content-Security-Policy (connect-src 'self') and wasm as
 * application/wasm, refuses paths outside dist/web/ and other methods, and a bad --port is one
 * line and exit status 2. Needs `npm run build` (dist/web/).
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT, runCli } from "./helpers/cli.js";

const BUILT = existsSync(join(ROOT, "dist", "web", "index.html"));
if (!BUILT) console.warn("skipping the serve tests: dist/web/ is not built (npm run build)");

describe.skipIf(!BUILT)("lsass-dump-scan serve", () => {
  let child: ChildProcess;
  let url: string;
  beforeAll(async () => {
    child = spawn(process.execPath, [CLI, "serve", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (b: Buffer) => {
        out += b.toString("utf8");
        const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
        if (found !== undefined) resolve(found);
      });
      child.once("exit", () => reject(new Error(`serve exited: ${out}`)));
    });
  });
  afterAll(() => {
    child?.kill("SIGTERM");
  });

  it("prints a loopback URL and serves the page with its CSP", async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain('<input type="file" id="files" multiple>');
    expect(html).toContain("connect-src 'self'");
    expect(html).not.toMatch(/(src|href)="https?:/); // no third-party assets
  });

  it("serves the matcher as application/wasm and the scripts as JavaScript", async () => {
    const wasm = await fetch(new URL("matcher.wasm", url));
    expect(wasm.headers.get("content-type")).toBe("application/wasm");
    expect(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer()))).toBe(true);
    for (const name of ["app.js", "scan-worker.js", "index.js"]) {
      const res = await fetch(new URL(name, url));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    }
  });

  it("refuses paths outside the page's folder, and methods other than GET and HEAD", async () => {
    for (const path of ["/../package.json", "/..%2f..%2fpackage.json", "/%2e%2e/cli/main.js", "/nope.html"]) {
      const res = await fetch(`${url.slice(0, -1)}${path}`);
      expect(res.status, path).toBe(404);
    }
    expect((await fetch(url, { method: "POST", body: "x" })).status).toBe(405);
  });

  it("a bad --port is one line and exit status 2", () => {
    const r = runCli(["serve", "--port", "http"]);
    expect(r.stderr).toBe("lsass-dump-scan: serve: bad --port 'http' (use 0-65535)\n");
    expect(r.status).toBe(2);
  });

  it("sweep: an empty --host is one line, not a page served on every interface", () => {
    const r = runCli(["serve", "--host", "", "--port", "0"]);
    expect(r.stderr).toBe('lsass-dump-scan: serve: --host wants an address, got ""\n');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
  });
});
