/**
 * What of a URL may be shown. Tokens ride in credentials (`user:pass@`) and in the query
 * (`?token=...`, `?api_key=...`): those are never shown; scheme, host, port and path are. One
 * module, so a check label, a configuration error and the CLI's output redact alike. Pure text
 * work, no parsing through `URL`: a malformed URL (the one an error is about) is redacted too,
 * and a valid one is shown as written, not normalized.
 */

/** What replaces a URL's query (and fragment). */
export const REDACTED_QUERY = '?<redacted>';

/**
 * A URL without credentials, query or fragment; works on malformed URLs too.
 *
 * @example
 * redactUrl('https://probe:pw@api.example.com/health?token=abc'); // 'https://api.example.com/health?<redacted>'
 * redactUrl('api.example.com/health?token=abc'); // 'api.example.com/health?<redacted>'
 */
export function redactUrl(url: string): string {
  return withoutQuery(withoutCredentials(url));
}

/**
 * `text` with every `scheme://...` URL in it redacted as `redactUrl` does. A URL ends at white
 * space, a quote, `<`, `>` or `\` (so a URL inside a JSON string stays valid JSON); trailing
 * punctuation (`.`, `,`, `:`, `;`, `)`) is kept as text.
 *
 * @example
 * redactUrlsInText('FAIL http GET https://h/health?token=abc: status 503'); // 'FAIL http GET https://h/health?<redacted>: status 503'
 */
export function redactUrlsInText(text: string): string {
  return text.replace(URL_IN_TEXT, (match) => {
    const trailing = TRAILING_PUNCTUATION.exec(match)?.[0] ?? '';
    return `${redactUrl(match.slice(0, match.length - trailing.length))}${trailing}`;
  });
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>\\`]+/gi;
const TRAILING_PUNCTUATION = /[.,:;!)\]]+$/;

function withoutCredentials(url: string): string {
  const scheme = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i.exec(url);
  const start = scheme ? scheme[0].length : 0;
  const rest = url.slice(start);
  // The authority ends at the first "/", "?", "#" (or "\", which WHATWG URLs read as "/").
  const end = rest.search(/[/?#\\]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at === -1) return url;
  // Without "//", only `user:password@host` is taken for credentials (`team@example.com` stays).
  if (!scheme && !authority.slice(0, at).includes(':')) return url;
  return `${url.slice(0, start)}${rest.slice(at + 1)}`;
}

function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  if (cut === -1) return url;
  // Only a URL-like text has a query: `Z123?` or `ok?` are shown as written.
  if (!/[./:]/.test(url.slice(0, cut))) return url;
  return `${url.slice(0, cut)}${url[cut] === '?' ? REDACTED_QUERY : '#<redacted>'}`;
}
