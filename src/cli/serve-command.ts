/**
 * `lsass-dump-scan serve`: a small static server (node:http) for the browser page in dist/web/,
 * loopback by default, so an analyst can open the scanner without installing anything else. It
 * serves only GET/HEAD of files under that folder, with the page's Content-Security-Policy as a
 * header too (connect-src 'self': the page cannot upload), and prints the URL.
 */

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { describeError, ScanError } from "../errors.js";

/** The page's folder: dist/web/ beside dist/cli/. */
export const PAGE_ROOT = fileURLToPath(new URL("../web/", import.meta.url));

/** Same policy as web/index.html's meta tag; wasm compiles need 'wasm-unsafe-eval'. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; " +
  "img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".map": "application/json",
  ".png": "image/png",
  ".ts": "text/plain; charset=utf-8",
};

/** A running static server. */
export interface StaticServer {
  /** `http://host:port/` of the page. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the files under `root` on host:port (port 0: a free one). Rejects with ScanError
 * (LDS_E_USAGE) when the address cannot be listened on.
 */
export function serveStatic(root: string, host: string, port: number): Promise<StaticServer> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    const send = (status: number, text: string): void => {
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(`${text}\n`);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed");
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      return send(400, "bad path");
    }
    const file = resolve(base, `.${path.endsWith("/") ? `${path}index.html` : path}`);
    if (file !== base && !file.startsWith(base + sep)) return send(404, "not found");
    stat(file).then(
      (s) => {
        if (!s.isFile()) return send(404, "not found");
        res.writeHead(200, {
          "content-type": TYPES[extname(file)] ?? "application/octet-stream",
          "content-length": s.size,
          "content-security-policy": PAGE_CSP,
          "x-content-type-options": "nosniff",
          "cross-origin-opener-policy": "same-origin",
          "cache-control": "no-cache",
        });
        if (req.method === "HEAD") return res.end();
        createReadStream(file)
          .on("error", () => res.destroy())
          .pipe(res);
      },
      () => send(404, "not found"),
    );
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", (err) =>
      reject(new ScanError("LDS_E_USAGE", `serve: cannot listen on ${host}:${port}: ${describeError(err)}`)),
    );
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === "object" && address !== null ? address.port : port;
      const shown = host.includes(":") ? `[${host}]` : host;
      resolvePromise({
        url: `http://${shown}:${actual}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

/** Adds `serve [--port N] [--host H]` to the program. */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve the browser page (scan files locally in the browser; nothing is uploaded)")
    .option("--port <n>", "port to listen on (0: a free one)", "8080")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .exitOverride()
    .action(async (raw: { port: string; host: string }) => {
      const port = Number(raw.port);
      if (!/^\d+$/.test(raw.port) || port > 65535) {
        throw new ScanError("LDS_E_USAGE", `serve: bad --port '${raw.port}' (use 0-65535)`);
      }
      // Node listens on every interface for an empty host: never what `--host ""` (an unset
      // variable) meant, and the page would say it is at http://:8080/.
      if (raw.host.trim() === "")
        throw new ScanError("LDS_E_USAGE", `serve: --host wants an address, got "${raw.host}"`);
      const root = PAGE_ROOT;
      const index = await stat(resolve(root, "index.html")).catch(() => undefined);
      if (index === undefined) {
        throw new ScanError("LDS_E_USAGE", `serve: the page is not built (${root}): run npm run build`);
      }
      const served = await serveStatic(root, raw.host, port);
      if (!isLoopback(raw.host)) {
        process.stderr.write(
          `lsass-dump-scan: serving on ${raw.host}, not loopback: other machines can load the page (files are still scanned only in each browser)\n`,
        );
      }
      process.stdout.write(
        `lsass-dump-scan: the page is at ${served.url} (files are scanned in the browser; Ctrl-C stops)\n`,
      );
      const stop = (): void => {
        void served.close().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
