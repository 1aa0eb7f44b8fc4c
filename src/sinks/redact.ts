/**
 * Secrets never reach a terminal, a log or the spool: every message a sink builds from the
 * outside world (an error, a server's answer) goes through {@link redactSecrets} first.
 */

/** Text with every `Splunk <token>` / `Bearer <token>` credential and every given secret masked. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length > 0) out = out.split(secret).join("<redacted>");
  }
  // A credential is 8+ token characters (HEC tokens are GUIDs), so "Splunk HEC" stays readable.
  return out.replace(/\b(Splunk|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, "$1 <redacted>");
}
