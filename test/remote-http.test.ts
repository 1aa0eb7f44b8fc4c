import { describe, expect, test } from "vitest";
import { scan } from "../src/index.js";
import { CORPUS, HAVE_CORPUS } from "./helpers/cli.js";
import { filesUnder, startRangeServer } from "./helpers/range-server.js";

if (!HAVE_CORPUS) console.warn(`remote-http: ${CORPUS} is absent, the corpus checks are skipped`);

describe.skipIf(!HAVE_CORPUS)("smoke", () => {
  test("corpus over http", async () => {
    const objects = filesUnder(CORPUS);
    const server = await startRangeServer(objects);
    const keys = [...objects.keys()].filter((k) => !k.endsWith(".md") && !k.startsWith("EXPECTED"));
    const remote = await scan(
      keys.map((k) => `${server.url(k)}?X-Amz-Signature=secret`),
      { workers: 2, shardSize: 64 * 1024 },
    );
    const local = await scan(
      keys.map((k) => `${CORPUS}/${k}`),
      { workers: 2, shardSize: 64 * 1024 },
    );
    console.log(remote.problems, server.requests.length, server.requests.slice(0, 4));
    expect(remote.rows).toEqual(local.rows);
    await server.close();
  }, 60_000);
});
