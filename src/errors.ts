/**
 * Errors with stable codes (undici's habit), so library callers can branch on `code` and the
 * CLI can print one line per problem instead of a stack trace.
 */

/**
 * Stable error codes.
 *
 * @example
 * ```ts
 * const code: ErrorCode = "LDS_E_INPUT_MISSING";
 * ```
 */
export type ErrorCode =
  | "LDS_E_INPUT_MISSING"
  | "LDS_E_INPUT_UNREADABLE"
  | "LDS_E_UNKNOWN_FORMAT"
  | "LDS_E_CORRUPT_ARCHIVE"
  | "LDS_E_CORRUPT_EVTX"
  | "LDS_E_DAMAGED_INPUT"
  | "LDS_E_NOTHING_SCANNED"
  | "LDS_E_UNSUPPORTED"
  | "LDS_E_USAGE"
  | "LDS_E_SUPPRESS_FILE"
  | "LDS_E_SINK";

/**
 * A problem with one input or with the user's options; `message` is one line, fit for stderr.
 *
 * @example
 * ```ts
 * try {
 *   createScanner({ maxRecordBytes: -1 });
 * } catch (err) {
 *   if (err instanceof ScanError) console.error(err.code, err.message); // LDS_E_USAGE ...
 * }
 * ```
 */
export class ScanError extends Error {
  readonly code: ErrorCode;
  /** The input (path, `-`, or `archive:member`) the problem is about, when there is one. */
  readonly input: string | undefined;

  constructor(code: ErrorCode, message: string, input?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ScanError";
    this.code = code;
    this.input = input;
  }
}

/** Short text of any thrown value, for one-line messages (no stack). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file or directory";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    if (code === "EISDIR") return "is a directory";
    if (code === "ELOOP") return "too many levels of symbolic links";
    if (code === "EPIPE") return "the reader closed the pipe (EPIPE)";
    if (code === "ENOSPC") return "no space left on device";
    return err.message.split("\n")[0] ?? String(err);
  }
  return String(err);
}

/**
 * Node's codes for a TLS certificate that does not verify (self-signed, expired, wrong name):
 * trying again cannot make it trusted, so the remote reads and the alert sinks give up at once.
 */
export const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);
