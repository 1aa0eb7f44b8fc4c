/**
 * A stand-in Splunk HTTP Event Collector on a free 127.0.0.1 port (node:http), speaking HEC as
 * Splunk documents it: `Authorization: Splunk <token>`, events concatenated in one body, answers
 * `{"text":"Success","code":0}` or HEC's error codes (2 token required, 4 invalid token, 5 no
 * data, 6 invalid data format with `invalid-event-number`, 7 incorrect index, 9 server busy,
 * 10/11 channel, 12/13 event field, 14 ACK is disabled) and indexer acknowledgment (channel
 * header, `ackId`, POST /services/collector/ack). Tests script its misbehaviour per request:
 * 503 bursts, a status of their choosing, slow answers, dropped connections, a crash between
 * indexing a batch and answering, and a restart that loses what was not yet acknowledged.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One HEC event envelope as the stand-in indexed it. */
export interface HecEnvelope {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: Record<string, unknown> & { alert_id?: string };
}

/** What the stand-in does with the next request to the event endpoint. */
export type HecStep =
  /** Answer as HEC would. */
  | { kind: "ok" }
  /** 503 `{"text":"Server is busy","code":9}`, optionally with Retry-After. */
  | { kind: "busy"; retryAfter?: string }
  /** Any status and body. */
  | { kind: "answer"; status: number; body: string }
  /** Close the connection before reading the request (nothing indexed). */
  | { kind: "drop" }
  /** Index the batch, then close the connection without an answer (a crash in between). */
  | { kind: "crash" }
  /** Answer as HEC would, after `ms`. */
  | { kind: "slow"; ms: number }
  /**
   * Splunk restarted just before this request: events not yet acknowledged are lost, and
   * ackIds start again from 0 (on the same channel GUID, which the client keeps sending).
   */
  | { kind: "restart" };

/** How the stand-in is set up. */
export interface HecServerOptions {
  /** The one valid token. */
  token: string;
  /** Indexer acknowledgment on for the token: channel required, answers carry ackId. */
  ack?: boolean;
  /** With ack: how long after indexing an ackId turns true. */
  ackDelayMs?: number;
  /** Steps for the event endpoint's requests, in order; then `ok`. */
  script?: HecStep[];
  /** Events this returns true for are "Invalid data format" (code 6), as Splunk says of bad JSON. */
  invalid?: (envelope: HecEnvelope) => boolean;
  /** Indexes the token may write to (default: any). */
  indexes?: string[];
  /** Delay every answer by this many ms (a slow server). */
  answerDelayMs?: number;
  /** Listen on this port (a HEC coming back where it was); default: a free one. */
  port?: number;
}

/** A running stand-in. */
export interface StandInHec {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every event indexed, in order, duplicates included. */
  indexed: HecEnvelope[];
  /** Requests to the event endpoint (all of them, answered or not). */
  eventRequests: number;
  /** Times (ms) when each event request arrived. */
  requestTimes: number[];
  /** Requests to the ack endpoint. */
  ackPolls: number;
  /** Every Authorization header value seen (to check the token is only ever sent there). */
  authorizations: string[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits HEC's body: JSON objects back to back, white space allowed between them. */
export function splitConcatenatedJson(text: string): { objects: unknown[]; badIndex?: number } {
  const objects: unknown[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text[i] !== "{") return { objects, badIndex: objects.length };
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < text.length; j++) {
      const c = text[j]!;
      if (inString) {
        if (c === "\\") j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) break;
    }
    try {
      objects.push(JSON.parse(text.slice(i, j + 1)));
    } catch {
      return { objects, badIndex: objects.length };
    }
    i = j + 1;
  }
  return { objects };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts the stand-in on a free loopback port. */
export async function startHec(options: HecServerOptions): Promise<StandInHec> {
  const script = [...(options.script ?? [])];
  const acks = new Map<string, Map<number, number>>(); // channel -> ackId -> time it turns true
  const ackedEvents = new Map<number, HecEnvelope[]>(); // ackId -> the events it acknowledges
  let nextAckId = 0;
  const state: Omit<StandInHec, "url" | "close"> = {
    indexed: [],
    eventRequests: 0,
    requestTimes: [],
    ackPolls: 0,
    authorizations: [],
  };

  /** 401/403 as HEC gives them, or undefined when the token is right. */
  function authProblem(req: IncomingMessage): [number, unknown] | undefined {
    const auth = req.headers.authorization;
    if (auth === undefined) return [401, { text: "Token is required", code: 2 }];
    state.authorizations.push(auth);
    const m = /^Splunk (\S+)$/.exec(auth);
    if (m === null) return [401, { text: "Invalid authorization", code: 3 }];
    if (m[1] !== options.token) return [403, { text: "Invalid token", code: 4 }];
    return undefined;
  }

  function channelProblem(req: IncomingMessage): [number, unknown] | undefined {
    const channel = req.headers["x-splunk-request-channel"];
    if (typeof channel !== "string") return [400, { text: "Data channel is missing", code: 10 }];
    if (!GUID.test(channel)) return [400, { text: "Invalid data channel", code: 11 }];
    return undefined;
  }

  async function onEvent(req: IncomingMessage, res: ServerResponse): Promise<void> {
    state.eventRequests++;
    state.requestTimes.push(Date.now());
    const step = script.shift() ?? { kind: "ok" };
    if (step.kind === "restart") {
      const now = Date.now();
      const lost = new Set<HecEnvelope>();
      for (const channelAcks of acks.values()) {
        for (const [id, at] of channelAcks) if (at > now) for (const e of ackedEvents.get(id) ?? []) lost.add(e);
      }
      state.indexed = state.indexed.filter((e) => !lost.has(e));
      acks.clear();
      ackedEvents.clear();
      nextAckId = 0;
    }
    if (step.kind === "drop") {
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    const auth = authProblem(req);
    if (auth) return send(res, auth[0], auth[1]);
    if (step.kind === "busy") {
      return send(
        res,
        503,
        { text: "Server is busy", code: 9 },
        step.retryAfter ? { "retry-after": step.retryAfter } : {},
      );
    }
    if (step.kind === "answer") return send(res, step.status, step.body);
    const channel = req.headers["x-splunk-request-channel"];
    if (options.ack) {
      const problem = channelProblem(req);
      if (problem) return send(res, problem[0], problem[1]);
    }
    if (body.trim().length === 0) return send(res, 400, { text: "No data", code: 5 });
    const { objects, badIndex } = splitConcatenatedJson(body);
    if (badIndex !== undefined)
      return send(res, 400, { text: "Invalid data format", code: 6, "invalid-event-number": badIndex });
    const events: HecEnvelope[] = [];
    for (const [n, o] of objects.entries()) {
      const e = o as Partial<HecEnvelope>;
      if (!("event" in e))
        return send(res, 400, { text: "Event field is required", code: 12, "invalid-event-number": n });
      if ((e.event as unknown) === "" || e.event === null) {
        return send(res, 400, { text: "Event field cannot be blank", code: 13, "invalid-event-number": n });
      }
      if (options.invalid?.(e as HecEnvelope))
        return send(res, 400, { text: "Invalid data format", code: 6, "invalid-event-number": n });
      if (options.indexes && e.index !== undefined && !options.indexes.includes(e.index))
        return send(res, 400, { text: "Incorrect index", code: 7, "invalid-event-number": n });
      events.push(e as HecEnvelope);
    }
    state.indexed.push(...events);
    if (step.kind === "crash") {
      req.socket.destroy();
      return;
    }
    const delay = (step.kind === "slow" ? step.ms : 0) + (options.answerDelayMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (options.ack && typeof channel === "string") {
      const id = nextAckId++;
      const channelAcks = acks.get(channel) ?? new Map<number, number>();
      channelAcks.set(id, Date.now() + (options.ackDelayMs ?? 0));
      ackedEvents.set(id, events);
      acks.set(channel, channelAcks);
      return send(res, 200, { text: "Success", code: 0, ackId: id });
    }
    return send(res, 200, { text: "Success", code: 0 });
  }

  async function onAck(req: IncomingMessage, res: ServerResponse): Promise<void> {
    state.ackPolls++;
    const body = await readBody(req);
    const auth = authProblem(req);
    if (auth) return send(res, auth[0], auth[1]);
    if (!options.ack) return send(res, 400, { text: "ACK is disabled", code: 14 });
    const problem = channelProblem(req);
    if (problem) return send(res, problem[0], problem[1]);
    let ids: unknown;
    try {
      ids = (JSON.parse(body) as { acks?: unknown }).acks;
    } catch {
      return send(res, 400, { text: "Invalid data format", code: 6 });
    }
    if (!Array.isArray(ids)) return send(res, 400, { text: "Invalid data format", code: 6 });
    const channelAcks = acks.get(req.headers["x-splunk-request-channel"] as string);
    const answer: Record<string, boolean> = {};
    for (const id of ids) {
      const at = channelAcks?.get(Number(id));
      answer[String(id)] = at !== undefined && Date.now() >= at;
    }
    return send(res, 200, { acks: answer });
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const handle =
      req.method !== "POST"
        ? async () => send(res, 405, { text: "Method not allowed", code: 405 })
        : path === "/services/collector/event" ||
            path === "/services/collector" ||
            path === "/services/collector/event/1.0"
          ? () => onEvent(req, res)
          : path === "/services/collector/ack"
            ? () => onAck(req, res)
            : async () => send(res, 404, { text: "The requested URL was not found on this server.", code: 404 });
    handle().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const stand: StandInHec = Object.assign(state as StandInHec, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return stand;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
