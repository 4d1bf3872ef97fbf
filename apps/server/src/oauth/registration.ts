import { isAllowedRedirectUri, registerClient } from '@taskwire/api';
import type { Db } from '@taskwire/db';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { allowAnyOrigin, oauthError, preflight } from './oauth-answers.js';

// Dynamic client registration (RFC 7591) for public clients: no secret, authorization code with
// PKCE only, redirect URIs https or loopback http (RFC 8252). Limited per address.

const metadata = z.looseObject({
  redirect_uris: z.array(z.string()).min(1).max(10),
  client_name: z.string().trim().min(1).max(100).optional(),
  token_endpoint_auth_method: z.literal('none').optional(),
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token'])).optional(),
  response_types: z.array(z.literal('code')).optional(),
});

/** Whether another registration from this address may go ahead now. */
export type RegistrationLimit = (ip: string) => Promise<{ allowed: boolean; retryAfterSeconds: number }>;

export function registerRegistration(app: FastifyInstance, db: Db, allowRegistration: RegistrationLimit): void {
  app.options('/oauth/register', preflight);
  app.post('/oauth/register', { onRequest: allowAnyOrigin }, async (req, reply) => {
    const limit = await allowRegistration(req.ip);
    if (!limit.allowed) {
      reply.header('retry-after', String(limit.retryAfterSeconds));
      return oauthError(reply, 429, 'too_many_requests', 'Too many registrations from this address; retry later');
    }
    const parsed = metadata.safeParse(req.body);
    if (!parsed.success) {
      const auth = (req.body as { token_endpoint_auth_method?: unknown } | null)?.token_endpoint_auth_method;
      const description =
        auth !== undefined && auth !== 'none'
          ? 'Only public clients: token_endpoint_auth_method must be none'
          : 'Send redirect_uris (1 to 10), and client_name up to 100 characters';
      return oauthError(reply, 400, 'invalid_client_metadata', description);
    }
    const uris = parsed.data.redirect_uris;
    if (!uris.every(isAllowedRedirectUri)) {
      return oauthError(
        reply,
        400,
        'invalid_redirect_uri',
        'Redirect URIs must be https, or http on a loopback address',
      );
    }
    const client = await registerClient(db, { name: parsed.data.client_name ?? 'MCP client', redirectUris: uris });
    return reply
      .code(201)
      .header('cache-control', 'no-store')
      .send({
        client_id: client.id,
        client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
        client_name: client.name,
        redirect_uris: client.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      });
  });
}
