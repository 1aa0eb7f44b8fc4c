/**
 * A reverse proxy on a free loopback port in front of another local server (the S3 stand-in),
 * passing requests through byte for byte (the Host header too, so SigV4 signatures still
 * verify) unless a test's hook answers instead: S3's `503 SlowDown`, a reset. Every request is
 * logged (method, path and query).
 */

import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the proxy saw it. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** What the hook did instead of passing it on, if anything. */
  fault: "slowdown" | "reset" | undefined;
}

/** What the hook may do with a request instead of passing it on (or: pass it on once `wait` settles). */
export type ProxyFault = "slowdown" | "reset" | { wait: Promise<unknown> } | undefined;

/** A running proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  requests: ProxiedRequest[];
  setFault(hook: ((request: ProxiedRequest) => ProxyFault) | undefined): void;
  close(): Promise<void>;
}

/** S3's throttling answer, as the S3 API reference gives it (Error codes: SlowDown, 503). */
const SLOW_DOWN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>';

/** Starts a proxy to `target` (`http://127.0.0.1:PORT`). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  const requests: ProxiedRequest[] = [];
  let hook: ((request: ProxiedRequest) => ProxyFault) | undefined;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const logged: ProxiedRequest = { method: req.method ?? "GET", url: req.url ?? "/", fault: undefined };
    requests.push(logged);
    const fault = hook?.(logged);
    if (typeof fault === "object") {
      void fault.wait.finally(() => pass(req, res));
      return;
    }
    logged.fault = fault;
    if (logged.fault === "reset") {
      req.socket.destroy();
      return;
    }
    if (logged.fault === "slowdown") {
      req.resume();
      res.writeHead(503, { "content-type": "application/xml" }).end(SLOW_DOWN);
      return;
    }
    pass(req, res);
  };
  const pass = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    setFault(next) {
      hook = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
