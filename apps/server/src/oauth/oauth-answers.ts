import type { FastifyReply, FastifyRequest } from 'fastify';

// How the OAuth endpoints answer: JSON errors shaped by RFC 6749 5.2 (and RFC 7591 3.2.2), never
// cached; an HTML page for an authorization request that must not redirect; CORS for anyone on the
// endpoints a browser-based client calls (they take no cookies, so any origin may).

/** An OAuth error: `{ error, error_description }`. */
export function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The page an authorization request that cannot go back to its client ends on (400). */
export function errorPage(reply: FastifyReply, message: string) {
  return reply
    .code(400)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cannot connect the app</title></head>` +
        `<body><h1>Cannot connect the app</h1><p>${escapeHtml(message)}</p>` +
        `<p>Go back to the app and try connecting again.</p></body></html>`,
    );
}

/** Lets any origin call the route (no credentials), preflight included. */
export async function allowAnyOrigin(_req: FastifyRequest, reply: FastifyReply) {
  reply.header('access-control-allow-origin', '*');
  reply.header('access-control-expose-headers', 'www-authenticate, retry-after');
}

/** The answer to a CORS preflight of an OAuth route. */
export async function preflight(_req: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(204)
    .header('access-control-allow-origin', '*')
    .header('access-control-allow-methods', 'GET, POST, OPTIONS')
    .header('access-control-allow-headers', 'content-type, authorization, mcp-protocol-version')
    .header('access-control-max-age', '600')
    .send();
}

/** Parameters of a query string or form body, or null when one is repeated (RFC 6749 3.1, 3.2). */
export function singleParams(raw: string): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    if (Object.hasOwn(params, name)) return null;
    params[name] = value;
  }
  return params;
}
