import { OAUTH_SCOPES } from '@taskwire/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROTECTED_RESOURCE_PATH } from '../doors/bearer-challenge.js';
import { allowAnyOrigin, oauthError, preflight } from './oauth-answers.js';

// Discovery for MCP clients: the protected resource (RFC 9728) names this server as its
// authorization server (and an identity provider's, when one is configured), whose metadata
// (RFC 8414) lists the endpoints.

export function registerDiscovery(app: FastifyInstance, externalServers: readonly string[]): void {
  const withOrigin = (answer: (origin: string) => object) => async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = app.originOf(req);
    if (!origin) return oauthError(reply, 400, 'invalid_request', 'Unusable Host header');
    return answer(origin);
  };
  const protectedResource = withOrigin((origin) => ({
    resource: `${origin}/mcp`,
    resource_name: 'Taskwire',
    authorization_servers: [origin, ...externalServers],
    scopes_supported: [...OAUTH_SCOPES],
    bearer_methods_supported: ['header'],
    resource_documentation: `${origin}/docs`,
  }));
  const authorizationServer = withOrigin((origin) => ({
    issuer: origin,
    authorization_endpoint: `${origin}/oauth/authorize`,
    token_endpoint: `${origin}/oauth/token`,
    registration_endpoint: `${origin}/oauth/register`,
    revocation_endpoint: `${origin}/oauth/revoke`,
    scopes_supported: [...OAUTH_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
  }));
  for (const [path, handler] of [
    [PROTECTED_RESOURCE_PATH, protectedResource],
    [`${PROTECTED_RESOURCE_PATH}/mcp`, protectedResource],
    ['/.well-known/oauth-authorization-server', authorizationServer],
  ] as const) {
    app.get(path, { onRequest: allowAnyOrigin }, handler);
    app.options(path, preflight);
  }
}
