import { type AccessCache, type AuthLimits, exchangeCode, refreshTokens, revokeOAuthToken } from '@taskwire/api';
import type { Db } from '@taskwire/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allowAnyOrigin, oauthError, preflight } from './oauth-answers.js';

// POST /oauth/token and /oauth/revoke (RFC 6749, RFC 7009), form-encoded, public clients
// (client_id in the body, no secret). Both count against the auth limit per address, as sign-in
// does. Nothing of a request's body is logged: it carries codes, verifiers and tokens.

export interface TokenEndpointDeps {
  db: Db;
  access: AccessCache | undefined;
  authLimits: AuthLimits | undefined;
}

type Form = Record<string, string>;

/** Refused past the auth limit; answers the refusal, or null to go on. */
async function limited(req: FastifyRequest, reply: FastifyReply, authLimits: AuthLimits | undefined) {
  if (!authLimits) return null;
  const decision = await authLimits.attempt(req.ip);
  if (decision.allowed) return null;
  if (decision.reason === 'limited') {
    reply.header('retry-after', String(decision.retryAfterSeconds));
    return oauthError(reply, 429, 'too_many_requests', 'Too many attempts; retry later');
  }
  return oauthError(reply, 503, 'temporarily_unavailable', 'The service is temporarily unavailable');
}

export function registerTokenEndpoints(app: FastifyInstance, { db, access, authLimits }: TokenEndpointDeps): void {
  app.options('/oauth/token', preflight);
  app.options('/oauth/revoke', preflight);

  app.post('/oauth/token', { onRequest: allowAnyOrigin }, async (req, reply) => {
    const refusal = await limited(req, reply, authLimits);
    if (refusal) return refusal;
    const form = req.body as Form | null;
    if (!form || typeof form !== 'object') {
      return oauthError(reply, 400, 'invalid_request', 'Send a form-encoded body, each parameter once');
    }
    const clientId = form.client_id;
    if (!clientId) return oauthError(reply, 401, 'invalid_client', 'client_id is required');
    const now = new Date();
    let result: Awaited<ReturnType<typeof exchangeCode>>;
    if (form.grant_type === 'authorization_code') {
      if (!form.code || !form.redirect_uri || !form.code_verifier) {
        return oauthError(reply, 400, 'invalid_request', 'code, redirect_uri and code_verifier are required');
      }
      result = await exchangeCode(
        db,
        {
          code: form.code,
          clientId,
          redirectUri: form.redirect_uri,
          verifier: form.code_verifier,
          resource: form.resource,
        },
        now,
      );
    } else if (form.grant_type === 'refresh_token') {
      if (!form.refresh_token) return oauthError(reply, 400, 'invalid_request', 'refresh_token is required');
      result = await refreshTokens(db, { refreshToken: form.refresh_token, clientId, resource: form.resource }, now);
    } else {
      return oauthError(reply, 400, 'unsupported_grant_type', 'authorization_code or refresh_token');
    }
    if (!result.ok) {
      // A reused code or refresh token revoked its grant: that user's cached checks go, nobody else's
      // (anyone may send a bad code, and must not make every user's next call a database lookup).
      if (result.revokedFor) access?.forgetUser(result.revokedFor);
      return oauthError(reply, 400, result.error, result.description);
    }
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(result.tokens);
  });

  app.post('/oauth/revoke', { onRequest: allowAnyOrigin }, async (req, reply) => {
    const refusal = await limited(req, reply, authLimits);
    if (refusal) return refusal;
    const form = req.body as Form | null;
    if (!form?.token) return oauthError(reply, 400, 'invalid_request', 'token is required');
    const userId = await revokeOAuthToken(db, form.token);
    if (userId) access?.forgetUser(userId);
    // RFC 7009 2.2: an unknown token is answered as a revoked one.
    return reply.code(200).header('cache-control', 'no-store').send({});
  });
}
