import { checkAuthorizationRequest, redirectWith } from '@taskwire/api';
import type { Db } from '@taskwire/db';
import type { FastifyInstance } from 'fastify';
import { errorPage, singleParams } from './oauth-answers.js';

// GET /oauth/authorize: checks the request, then hands it to the web app's consent screen (which
// signs the user in first when needed). Approving happens there, by a POST (oauth.approve): a GET
// never approves anything.

export function registerAuthorize(app: FastifyInstance, db: Db): void {
  app.get('/oauth/authorize', async (req, reply) => {
    const raw = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
    const params = singleParams(raw);
    if (!params) return errorPage(reply, 'A parameter was sent more than once');
    const origin = app.originOf(req);
    if (!origin) return errorPage(reply, 'Unusable Host header');
    if (!params.client_id || !params.redirect_uri) return errorPage(reply, 'client_id and redirect_uri are required');
    const resource = params.resource ?? `${origin}/mcp`;
    const request = {
      clientId: params.client_id,
      redirectUri: params.redirect_uri,
      responseType: params.response_type ?? '',
      scope: params.scope,
      state: params.state,
      codeChallenge: params.code_challenge ?? '',
      codeChallengeMethod: params.code_challenge_method,
      resource,
    };
    const checked = await checkAuthorizationRequest(db, request, new Date());
    if (checked.kind === 'page') return errorPage(reply, checked.message);
    if (checked.kind === 'redirect') {
      const error = { error: checked.error, error_description: checked.description };
      return reply.redirect(redirectWith(request.redirectUri, error, request.state));
    }
    // This server issues tokens for its own MCP endpoint only.
    if (resource !== `${origin}/mcp`) {
      const error = { error: 'invalid_target', error_description: `The resource must be ${origin}/mcp` };
      return reply.redirect(redirectWith(request.redirectUri, error, request.state));
    }
    const consent = new URLSearchParams({
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      scope: checked.scopes.join(' '),
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      resource,
      ...(request.state !== undefined && { state: request.state }),
    });
    return reply.redirect(`/oauth/consent?${consent}`);
  });
}
