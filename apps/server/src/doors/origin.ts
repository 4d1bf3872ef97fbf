import type { FastifyRequest } from 'fastify';

// The one origin rule of every door: where the server says it lives (MCP's protected-resource
// document and challenge, REST's Link and Location headers). Either PUBLIC_ORIGIN, or the Host
// the request came to (behind TRUST_PROXY, the proxy's X-Forwarded-Host and -Proto), and then only
// when it is a plain host[:port]: a Host carrying quotes, `>` or `;` never shapes a header.

/** host[:port], a name or a bracketed IPv6 address, and nothing else. */
const PLAIN_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** An origin for a request: scheme://host[:port], or null when there is no trustworthy one. */
export type OriginOf = (req: FastifyRequest) => string | null;

/** The rule: the configured public origin, else the request's own host when it is plain. */
export function originRule(publicOrigin: string | undefined): OriginOf {
  if (publicOrigin) {
    const fixed = new URL(publicOrigin).origin;
    return () => fixed;
  }
  return (req) => (PLAIN_HOST.test(req.host) ? `${req.protocol}://${req.host}` : null);
}
