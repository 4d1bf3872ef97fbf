import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { registerSecurityHeaders } from './security-headers.js';

/**
 * Browser-facing protections for a JSON API: CORS for the listed origins only (exact matches;
 * bearer tokens, so no cookies and no credentials mode), and helmet's headers with a content
 * security policy that allows nothing, since the API never serves pages (security-headers.ts).
 */
export const httpSecurity = fp(
  async (app: FastifyInstance, { corsOrigins }: { corsOrigins: readonly string[] }) => {
    const allowed = new Set(corsOrigins);
    await app.register(cors, {
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'trpc-accept'],
      exposedHeaders: ['x-request-id', 'retry-after', 'location', 'link', 'www-authenticate'],
      maxAge: 600,
    });
    registerSecurityHeaders(app);
  },
  { name: 'http-security' },
);
