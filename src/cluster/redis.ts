/**
 * The Redis connection of a cluster scan, from a `redis://` or `rediss://` URL (ioredis, which
 * BullMQ uses; loaded only for --cluster). The coordinator fails fast with one line when Redis
 * cannot be reached; a worker keeps retrying, so that it outlives a Redis restart.
 */

import type { Redis } from "ioredis";
import { ScanError } from "../errors.js";
import { redactUrl } from "../source/redact.js";

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
  client.on("error", () => {}); // reported below (coordinator) or retried (worker)
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new ScanError("LDS_E_USAGE", `cannot reach ${redactUrl(url)}: ${(err as Error).message}`);
  }
  return client;
}
