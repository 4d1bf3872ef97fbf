import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

// helmet's headers, computed once per policy: helmet itself rebuilds them (its content security
// policy included) on every response, which cost more than the rest of a REST answer's headers.

export type SecurityHeaders = Readonly<Record<string, string>>;

/** The headers helmet sets with these options. */
export function securityHeaders(options: HelmetOptions): SecurityHeaders {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return headers;
}

/**
 * A JSON API's: a content security policy that allows nothing (exactly `default-src 'none';
 * frame-ancestors 'none'`, none of helmet's default directives), since the API never serves pages.
 */
export const API_HEADERS = securityHeaders({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-site' },
});

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route's own security headers (a page's policy), instead of the API's. */
    securityHeaders?: SecurityHeaders;
  }
}

/** Sends the route's security headers, or the API's, on every response. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(req.routeOptions.config?.securityHeaders ?? API_HEADERS);
    done();
  });
}
