// The one parser of an HTTP request-target used by every listener (screen, integration API, health).
// `new URL(req.url, base)` is not a parser of request-targets: a target starting with `//` is read as a
// scheme-relative URL whose authority is whatever follows (`//`, `//%25`, `//:1/` throw "Invalid URL"),
// and an exception there, outside any try block, stopped the daemon with one unauthenticated request.
// We accept only the origin-form of RFC 9112 §3.2.1 (`/path?query`, one leading slash) and answer
// anything else with 400 before any other check.

export interface RequestTarget {
  pathname: string;
  searchParams: URLSearchParams;
}

/** Longest request-target we read; a kiosk URL is short (the screen's token URL is < 100 bytes). */
export const MAX_TARGET_LENGTH = 2048;

/**
 * Parses `req.url` as origin-form (`/` then path, optional `?query`); null for anything else: absent,
 * too long, `//…` (would be an authority), asterisk- or absolute-form, whitespace or control characters.
 * Never throws.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_TARGET_LENGTH) return null;
  if (raw[0] !== '/' || raw[1] === '/' || raw[1] === '\\') return null;
  // Visible ASCII only (RFC 9112 request-target has no spaces, controls or raw non-ASCII).
  if (!/^[\x21-\x7e]+$/.test(raw)) return null;
  try {
    // A fixed origin with the target appended: the path can no longer be taken for an authority.
    const url = new URL(`http://request.invalid${raw}`);
    if (url.host !== 'request.invalid') return null;
    return { pathname: url.pathname, searchParams: url.searchParams };
  } catch {
    return null;
  }
}
