// Runs s3rver on a free loopback port over the folder given as argv[2] with the bucket `logs`,
// prints {"port": N} on stdout once it listens, and stops on SIGTERM. Started by s3rver.ts with
// --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES, which
// Node 20's OpenSSL 3 offers only through its legacy provider (without it, page 2 is a 500).
import S3rver from "s3rver";

const server = new S3rver({
  port: 0,
  address: "127.0.0.1",
  silent: true,
  directory: process.argv[2],
  configureBuckets: [{ name: "logs" }],
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on("SIGTERM", () => {
  server.close().then(() => process.exit(0));
});
