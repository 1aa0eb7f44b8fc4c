/**
 * A Range-capable HTTP server on a free loopback port (node:http), serving files from a folder
 * or from memory like an object store does (206 with Content-Range, strong ETags, If-Match,
 * 416), with faults injected on demand: 5xx and 429 answers, connection resets before any
 * answer, transfers cut halfway (headers promise N bytes, half come, the socket closes), lying
 * Content-Length, requests never answered, ranges ignored. Every request is logged (URL with query, headers, answer).
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";

/** What to do with one request instead of answering it properly. */
export type Fault =
  | { kind: "status"; status: number; retryAfter?: string; location?: string; contentRange?: string }
  | { kind: "reset" }
  /** Headers promise the range; half of it comes (or the first `keep` bytes), then the socket closes. */
  | { kind: "cut"; keep?: number }
  | { kind: "short-length" }
  /** Never answered (until the client goes away): a transfer stuck mid-shard. */
  | { kind: "hang" }
  /** Range ignored for this one request: 200 and the whole object (a cache that lost it). */
  | { kind: "full" }
  /** The right bytes, under this Content-Range instead of the true one. */
  | { kind: "content-range"; value: string };

/** One request as the server saw it. */
export interface LoggedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  range: string | undefined;
  ifMatch: string | undefined;
  /** The status answered (0 for a reset). */
  status: number;
  fault: Fault["kind"] | undefined;
}

/** Options of {@link startRangeServer}. */
export interface RangeServerOptions {
  /** Honour Range (default true); false answers every GET with 200 and the whole object. */
  ranges?: boolean;
  /** Honour If-Match and If-Unmodified-Since (default true); false serves whatever is there now, as some servers do. */
  ifMatch?: boolean;
  /** Send Last-Modified (each put one second after the one before) and honour If-Unmodified-Since. */
  lastModified?: boolean;
  /** ETags: strong (default), weak (`W/"..."`) or none. */
  etags?: "strong" | "weak" | "none";
  /** `user:password` every request must carry as `Authorization: Basic` (401 otherwise). */
  basicAuth?: string;
  /** Called for every request; a fault returned is injected instead of the answer. */
  fault?: (request: LoggedRequest, nth: number) => Fault | undefined;
}

/** A running server. */
export interface RangeServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The URL of an object (`key` as served, slash-separated). */
  url(key: string): string;
  requests: LoggedRequest[];
  /** Adds or replaces an object (a new ETag). */
  put(key: string, bytes: Buffer): void;
  /** Replaces the fault hook. */
  setFault(fault: RangeServerOptions["fault"]): void;
  close(): Promise<void>;
}

function etagOf(bytes: Buffer): string {
  return `"${createHash("md5").update(bytes).digest("hex")}"`;
}

/** All files under `folder`, keyed by their relative path. */
export function filesUnder(folder: string): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else objects.set(relative(folder, path).split("\\").join("/"), readFileSync(path));
    }
  };
  walk(folder);
  return objects;
}

/** Starts a server for `objects` on 127.0.0.1, port chosen by the system. */
export async function startRangeServer(
  objects: Map<string, Buffer>,
  options: RangeServerOptions = {},
): Promise<RangeServer> {
  const store = new Map<string, { bytes: Buffer; etag: string; modified: string }>();
  let puts = 0;
  const put = (key: string, bytes: Buffer) =>
    store.set(key, {
      bytes,
      etag: etagOf(bytes),
      modified: new Date(Date.UTC(2024, 0, 1) + 1000 * puts++).toUTCString(),
    });
  for (const [key, bytes] of objects) put(key, bytes);
  const requests: LoggedRequest[] = [];
  let faultHook = options.fault;
  const ranges = options.ranges ?? true;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    const key = decodeURIComponent(new URL(url, "http://x").pathname.slice(1));
    const logged: LoggedRequest = {
      method: req.method ?? "GET",
      url,
      range: req.headers.range,
      ifMatch: req.headers["if-match"],
      status: 0,
      fault: undefined,
    };
    requests.push(logged);
    if (
      options.basicAuth !== undefined &&
      req.headers.authorization !== `Basic ${Buffer.from(options.basicAuth).toString("base64")}`
    ) {
      logged.status = 401;
      res.writeHead(401, { "www-authenticate": 'Basic realm="logs"' }).end("unauthorized");
      return;
    }
    const fault = faultHook?.(logged, requests.length);
    logged.fault = fault?.kind;
    if (fault?.kind === "hang") return;
    if (fault?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "status") {
      logged.status = fault.status;
      res.writeHead(fault.status, {
        ...(fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter }),
        ...(fault.location === undefined ? {} : { location: fault.location }),
        ...(fault.contentRange === undefined ? {} : { "content-range": fault.contentRange }),
      });
      res.end("injected");
      return;
    }
    const object = store.get(key);
    if (object === undefined) {
      logged.status = 404;
      res.writeHead(404).end("no such key");
      return;
    }
    const headers: Record<string, string> = {};
    if (options.etags !== "none") headers.etag = options.etags === "weak" ? `W/${object.etag}` : object.etag;
    if (ranges) headers["accept-ranges"] = "bytes";
    if (options.lastModified) headers["last-modified"] = object.modified;
    const since = req.headers["if-unmodified-since"];
    if (
      options.lastModified &&
      options.ifMatch !== false &&
      since !== undefined &&
      Date.parse(object.modified) > Date.parse(since)
    ) {
      logged.status = 412;
      res.writeHead(412, headers).end();
      return;
    }
    const ifMatch = req.headers["if-match"];
    if (options.ifMatch !== false && ifMatch !== undefined && ifMatch !== "*" && ifMatch !== object.etag) {
      logged.status = 412;
      res.writeHead(412, headers).end();
      return;
    }
    const size = object.bytes.length;
    let start = 0;
    let end = size;
    let status = 200;
    const m = ranges && fault?.kind !== "full" ? /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "") : null;
    if (m !== null) {
      if (m[1] === "") {
        start = Math.max(0, size - Number(m[2]));
      } else {
        start = Number(m[1]);
        end = m[2] === "" ? size : Math.min(size, Number(m[2]) + 1);
      }
      if (start >= size || start >= end) {
        logged.status = 416;
        res.writeHead(416, { ...headers, "content-range": `bytes */${size}` }).end();
        return;
      }
      status = 206;
      headers["content-range"] = fault?.kind === "content-range" ? fault.value : `bytes ${start}-${end - 1}/${size}`;
    }
    const body = object.bytes.subarray(start, end);
    headers["content-length"] = String(fault?.kind === "short-length" ? body.length - 1 : body.length);
    logged.status = status;
    res.writeHead(status, headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    if (fault?.kind === "cut") {
      res.write(body.subarray(0, fault.keep ?? body.length >> 1), () => {
        // Let the half arrive, then drop the connection mid-body.
        setTimeout(() => req.socket.destroy(), 5);
      });
      return;
    }
    if (fault?.kind === "short-length") {
      res.end(body.subarray(0, body.length - 1));
      return;
    }
    res.end(body);
  };

  const server: Server = createServer(handle);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (key) => `${origin}/${key.split("/").map(encodeURIComponent).join("/")}`,
    requests,
    put,
    setFault(fault) {
      faultHook = fault;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
