/**
 * `s3://bucket/prefix` inputs: the prefix is listed with ListObjectsV2 (every page) and each
 * object is handed on as a presigned GET URL, so the rest of the scan reads S3 exactly like any
 * other http(s) object (ranged reads, If-Match, retries: src/source/http-source.ts), in the pool's
 * threads, without credentials of their own. Credentials, region and endpoint come from the
 * standard AWS chain (environment, ~/.aws/config and credentials, SSO, instance roles);
 * `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_S3` point it at an S3-compatible store, addressed
 * path-style. The AWS SDK is loaded only here, when an s3:// input is met.
 */

import { describeError, ScanError } from "../errors.js";

/** How long a presigned URL stays valid: long enough for a long scan of a big prefix. */
const PRESIGN_SECONDS = 12 * 3600;

/** One object to scan. */
export interface S3Object {
  /** `s3://bucket/key`, as messages name it. */
  name: string;
  /** A presigned GET URL (never printed: its query string is the credential). */
  url: string;
  size: number;
  etag: string | undefined;
}

/** True for `s3://...` arguments. */
export function isS3Url(arg: string): boolean {
  return /^s3:\/\//i.test(arg);
}

/** `s3://bucket/prefix` split; throws a usage error for a malformed one. */
export function parseS3Url(arg: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/is.exec(arg);
  if (m === null || m[1] === undefined)
    throw new ScanError("LDS_E_USAGE", `${arg}: not an s3://bucket/prefix URL`, arg);
  return { bucket: m[1], prefix: m[2] ?? "" };
}

/** The endpoint of an S3-compatible store, when one is configured. */
function configuredEndpoint(): string | undefined {
  return process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
}

/**
 * The objects of `s3://bucket/prefix`, in key order. A prefix names a "folder" like a path
 * does: `s3://b/logs` is the object `logs` and everything under `logs/` (not `logs2`);
 * `s3://b/logs/` and `s3://b` everything under them. Directory markers (keys ending in `/`)
 * are left out. `pageSize`: keys per ListObjectsV2 call (S3's default, 1000, when left out).
 * Throws ScanError (one line, naming the input) when listing fails or finds nothing.
 */
export async function* listS3Objects(arg: string, pageSize?: number): AsyncGenerator<S3Object> {
  const { bucket, prefix } = parseS3Url(arg);
  // The SDK prints a multi-line notice on Node 20 (supported here and by the SDK today); a
  // scanner's stderr is one line per problem, so it is turned off unless the user set it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const [{ S3Client, GetObjectCommand, paginateListObjectsV2 }, { getSignedUrl }] = await Promise.all([
    import("@aws-sdk/client-s3"),
    import("@aws-sdk/s3-request-presigner"),
  ]);
  const endpoint = configuredEndpoint();
  const base = {
    forcePathStyle: endpoint !== undefined,
    requestChecksumCalculation: "WHEN_REQUIRED" as const,
    responseChecksumValidation: "WHEN_REQUIRED" as const,
    ...(endpoint === undefined ? {} : { endpoint }),
  };
  let client = new S3Client(base);
  try {
    await client.config.region();
  } catch {
    client.destroy();
    client = new S3Client({ ...base, region: "us-east-1" }); // no region configured anywhere: S3's default
  }
  const folder = prefix === "" || prefix.endsWith("/");
  let found = 0;
  try {
    const pages = paginateListObjectsV2(
      { client, ...(pageSize === undefined ? {} : { pageSize }) },
      { Bucket: bucket, Prefix: prefix },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (key === undefined || key.endsWith("/")) continue;
        if (!folder && key !== prefix && !key.startsWith(`${prefix}/`)) continue;
        found++;
        const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
          expiresIn: PRESIGN_SECONDS,
        });
        const etag = object.ETag !== undefined && !object.ETag.startsWith("W/") ? object.ETag : undefined;
        yield { name: `s3://${bucket}/${key}`, url, size: object.Size ?? 0, etag };
      }
    }
  } catch (err) {
    if (err instanceof ScanError) throw err;
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const code = (err as { name?: string }).name === "NoSuchBucket" ? "LDS_E_INPUT_MISSING" : "LDS_E_INPUT_UNREADABLE";
    const why = `listing failed: ${describeError(err)}${status === undefined ? "" : ` (HTTP ${status})`}`;
    throw new ScanError(code, `${arg}: ${why}`, arg, { cause: err });
  } finally {
    client.destroy();
  }
  if (found === 0) throw new ScanError("LDS_E_INPUT_MISSING", `${arg}: no such object or prefix`, arg);
}
