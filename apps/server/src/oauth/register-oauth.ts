import type { AccessCache, AuthLimits } from '@taskwire/api';
import type { Db } from '@taskwire/db';
import type { FastifyInstance } from 'fastify';
import { createMemoryStore } from '../rate-limit/memory-store.js';
import type { RateLimitStore } from '../rate-limit/store.js';
import { secondsUntil } from '../rate-limit/store.js';
import { registerAuthorize } from './authorize.js';
import { registerDiscovery } from './discovery.js';
import { singleParams } from './oauth-answers.js';
import { registerRegistration } from './registration.js';
import { registerTokenEndpoints } from './token-endpoint.js';

// This server as an OAuth 2.1 authorization server for its MCP endpoint (the MCP authorization
// spec, 2025-06-18): discovery, dynamic registration, authorize (handing over to the web app's
// consent screen), token and revoke. The rules and all SQL live in packages/api (oauth/).

export interface OAuthOptions {
  db: Db;
  access?: AccessCache | undefined;
  authLimits?: AuthLimits | undefined;
  /** The rate-limit store registrations are counted in (shared across instances with Redis). */
  store?: RateLimitStore | undefined;
  /** Client registrations per address and hour (default 20). */
  registrationsPerHour?: number | undefined;
  /** An identity provider's issuers, also named in the protected-resource document. */
  externalServers?: readonly string[] | undefined;
}

const HOUR_MS = 3_600_000;

export async function oauthServer(app: FastifyInstance, options: OAuthOptions): Promise<void> {
  const store = options.store ?? createMemoryStore();
  if (!options.store) app.addHook('onClose', () => store.close());
  const perHour = options.registrationsPerHour ?? 20;
  // Scoped to this plugin: the token and revoke endpoints take forms, each parameter once.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, singleParams(String(body)));
  });
  registerDiscovery(app, options.externalServers ?? []);
  registerRegistration(app, options.db, async (ip) => {
    try {
      const window = await store.hit(`oauth-register:${ip}`, 1, HOUR_MS);
      return { allowed: window.count <= perHour, retryAfterSeconds: secondsUntil(window.resetAt) };
    } catch {
      // Registration is not urgent: while the store is down, refuse rather than go unlimited.
      return { allowed: false, retryAfterSeconds: 60 };
    }
  });
  registerAuthorize(app, options.db);
  registerTokenEndpoints(app, { db: options.db, access: options.access, authLimits: options.authLimits });
}
