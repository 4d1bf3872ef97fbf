import { describe, expect, it } from 'vitest';
import { useTestServer } from '../harness.js';
import { REDIRECT, register } from './oauth-helpers.js';

const running = useTestServer({ oauth: { registrationsPerHour: 6 } });

describe('OAuth discovery', () => {
  it('serves the protected resource (both forms) and the authorization server metadata, to any origin', async () => {
    const url = running.server.url;
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const response = await fetch(`${url}${path}`, { headers: { origin: 'https://inspector.example' } });
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toMatchObject({
        resource: `${url}/mcp`,
        authorization_servers: [url],
        scopes_supported: ['tasks:read', 'tasks:write'],
      });
    }
    const metadata = await (await fetch(`${url}/.well-known/oauth-authorization-server`)).json();
    expect(metadata).toMatchObject({
      issuer: url,
      authorization_endpoint: `${url}/oauth/authorize`,
      token_endpoint: `${url}/oauth/token`,
      registration_endpoint: `${url}/oauth/register`,
      revocation_endpoint: `${url}/oauth/revoke`,
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      response_types_supported: ['code'],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['tasks:read', 'tasks:write'],
    });
    const preflight = await fetch(`${url}/oauth/token`, {
      method: 'OPTIONS',
      headers: { origin: 'https://inspector.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('OAuth client registration', () => {
  it('registers public clients with https or loopback redirect URIs, refuses others, and is rate limited', async () => {
    const url = running.server.url;
    const ok = await register(url, {
      client_name: 'Inspector',
      redirect_uris: [REDIRECT, 'http://localhost/cb', 'http://[::1]:8080/cb', 'https://app.example/cb'],
    });
    expect(ok.response.status).toBe(201);
    expect(ok.body).toMatchObject({ client_name: 'Inspector', token_endpoint_auth_method: 'none' });
    expect(ok.body.client_id).toEqual(expect.any(String));
    expect(ok.body).not.toHaveProperty('client_secret');
    for (const uri of ['http://app.example/cb', 'javascript:alert(1)', 'https://app.example/cb#x', 'not a url']) {
      const bad = await register(url, { redirect_uris: [uri] });
      expect(bad.response.status).toBe(400);
      expect(bad.body.error).toBe('invalid_redirect_uri');
    }
    const confidential = await register(url, {
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(confidential.body.error).toBe('invalid_client_metadata');
    // 6 per hour here: the calls above used them up.
    const limited = await register(url);
    expect(limited.response.status).toBe(429);
    expect(limited.body.error).toBe('too_many_requests');
    expect(Number(limited.response.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
