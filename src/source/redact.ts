/**
 * URLs in messages: a presigned URL's query string is its credential (X-Amz-Signature,
 * sig=, Signature=), and user:password@ is one too, so neither is ever printed.
 */

/** The URL as messages show it: no user or password, the query string replaced by `?REDACTED`, no fragment. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL Node can parse: still no query string and no user:password@.
    return url.replace(/\?.*$/s, "?REDACTED").replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, "$1");
  }
  const query = parsed.search.length > 1 ? "?REDACTED" : "";
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query}`;
}

/** `text` with every http(s) URL in it redacted (for error messages that quote a URL). */
export function redactText(text: string): string {
  return text.replace(/https?:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url));
}
