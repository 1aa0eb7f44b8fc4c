/**
 * Code the README tells users to copy runs as it says: the webhook receiver's signature check
 * accepts the signature the CLI sends and rejects a wrong or missing one without throwing (it
 * threw on a missing header: `crypto.timingSafeEqual` refuses buffers of different lengths).
 */

import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The README's fenced `js` block that mentions `needle`. */
function snippet(needle: string): string {
  const block = [...README.matchAll(/```js\n([\s\S]*?)```/g)]
    .map((m) => m[1] as string)
    .find((b) => b.includes(needle));
  if (block === undefined) throw new Error(`no js block with ${needle} in the README`);
  return block;
}

describe("the README's webhook signature check", () => {
  const check = new Function("crypto", "secret", "rawBody", "req", `${snippet("x-signature-256")}\nreturn ok;`) as (
    c: typeof crypto,
    secret: string,
    rawBody: Buffer,
    req: { headers: Record<string, string | undefined> },
  ) => boolean;
  const secret = "s3cret";
  const body = Buffer.from('[{"dest":"WS1","alert_id":"00"}]');
  const signed = `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;

  it("accepts the body's signature, as the webhook sink writes it", () => {
    expect(check(crypto, secret, body, { headers: { "x-signature-256": signed } })).toBe(true);
  });

  it("rejects a wrong, short or missing signature without throwing", () => {
    const wrong = `sha256=${"0".repeat(64)}`;
    expect(check(crypto, secret, body, { headers: { "x-signature-256": wrong } })).toBe(false);
    expect(check(crypto, secret, body, { headers: { "x-signature-256": "sha256=abc" } })).toBe(false);
    expect(check(crypto, secret, body, { headers: {} })).toBe(false);
  });
});
