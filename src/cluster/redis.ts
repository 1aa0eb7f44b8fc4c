/**
 * The Redis connection of a cluster scan, from a `redis://` or `rediss://` URL (ioredis, which
 * BullMQ uses; loaded only for --cluster). The coordinator fails fast with one line when Redis
 * cannot be reached at start; once connected, it (like a worker) keeps reconnecting, so that a
 * Redis restart mid-scan is waited out (the coordinator's --cluster-timeout decides how long).
 */

import type { Redis } from "ioredis";
import { ScanError } from "../errors.js";
import { redactUrl } from "../source/redact.js";

/** Longest pause between two reconnection attempts once a connection was made, ms. */
const RECONNECT_MAX_MS = 1_000;

const lastErrors = new WeakMap<Redis, string>();

/** The last error Redis or the network gave a connection (`undefined` before any). */
export function lastRedisError(client: Redis): string | undefined {
  return lastErrors.get(client);
}

/** Opens (and, for the coordinator, checks) a connection to the Redis at `url`. */
export async function openRedis(url: string, options: { forWorker: boolean }): Promise<Redis> {
  if (!/^rediss?:\/\//i.test(url)) {
    throw new ScanError("LDS_E_USAGE", `--cluster wants a redis:// URL, got "${redactUrl(url)}"`);
  }
  const { Redis: IORedis } = await import("ioredis");
  const client = new IORedis(url, {
    maxRetriesPerRequest: null, // BullMQ's requirement for blocking connections
    ...(options.forWorker ? {} : { retryStrategy: (times: number) => (times > 5 ? null : 200 * times) }),
    lazyConnect: true,
  });
  // Reported below (coordinator), retried (worker), or named when a wait gives up; the message
  // says why (WRONGPASS, NOAUTH, ECONNREFUSED), where "Connection is closed." would not.
  client.on("error", (err: Error) => lastErrors.set(client, err.message));
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    const why = lastRedisError(client) ?? (err as Error).message;
    throw new ScanError("LDS_E_USAGE", `cannot reach ${redactUrl(url)}: ${why}`);
  }
  // Connected: from now on a lost connection is retried for as long as the caller waits.
  client.options.retryStrategy = (times: number) => Math.min(RECONNECT_MAX_MS, 100 * times);
  return client;
}
