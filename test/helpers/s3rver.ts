/**
 * s3rver (npm: an S3 implementation over a folder) as the S3 endpoint for tests, in a process
 * of its own on a free loopback port, with the bucket `logs`. See s3rver-main.mjs for why the
 * process runs with --openssl-legacy-provider.
 */

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A running s3rver. */
export interface S3rverProcess {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL. */
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts s3rver over `directory` (which it fills). */
export async function startS3rver(directory: string): Promise<S3rverProcess> {
  const main = fileURLToPath(new URL("./s3rver-main.mjs", import.meta.url));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", "--no-deprecation", main, directory], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const line = out.split("\n")[0];
      if (out.includes("\n") && line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited (${code}) before listening`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
