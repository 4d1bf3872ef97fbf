// Redirect URIs a public client may register (OAuth 2.1, RFC 8252): https anywhere, or http on a
// loopback address, where a native app listens on a port it picks at run time (so a loopback URI
// matches whatever port the request names). No fragments, no credentials.

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function parse(uri: string): URL | null {
  if (uri.length > 2_000) return null;
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

const isLoopbackHttp = (url: URL) => url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);

/** Whether a client may register this redirect URI. */
export function isAllowedRedirectUri(uri: string): boolean {
  const url = parse(uri);
  if (!url || url.hash || uri.includes('#') || url.username || url.password) return false;
  return url.protocol === 'https:' || isLoopbackHttp(url);
}

/** Whether `requested` is one of the client's registered URIs (exactly; any port on loopback http). */
export function redirectUriMatches(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const url = parse(requested);
  if (!url || !isLoopbackHttp(url)) return false;
  const withoutPort = (u: URL) => {
    const copy = new URL(u.href);
    copy.port = '';
    return copy.href;
  };
  const target = withoutPort(url);
  return registered.some((uri) => {
    const candidate = parse(uri);
    return candidate !== null && isLoopbackHttp(candidate) && withoutPort(candidate) === target;
  });
}
