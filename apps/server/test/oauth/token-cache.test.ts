import { randomBytes } from 'node:crypto';
import { type AppRouter, createAccessCache } from '@taskwire/api';
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../harness.js';
import { approvedCode, form, mcpPost } from './oauth-helpers.js';

// The token endpoint is anonymous: a refused exchange must not cost other users anything. It
// forgets the cached token checks of the one user whose grant a reused code revoked, and no one
// else's. A bystander whose session ended behind the cache's back shows which: their token still
// works while the cache keeps them, and stops the moment it is forgotten.

const access = createAccessCache({ ttlMs: 10 * 60_000 });
const running = useTestServer({ api: { access } });

async function cachedBystander() {
  const email = `bystander-${randomBytes(6).toString('hex')}@example.com`;
  const session = await running.server.client().auth.signUp.mutate({ email, password: `password of ${email}` });
  const client = running.server.client(session.accessToken);
  expect((await client.auth.me.query()).id).toBe(session.user.id);
  // Ended in the database only: nothing tells the cache.
  await running.db.deleteFrom('sessions').where('user_id', '=', session.user.id).execute();
  return { id: session.user.id, me: () => client.auth.me.query() };
}

describe("the token endpoint and other users' cached checks", () => {
  it('a bad code or refresh token from anyone forgets no one', async () => {
    const bystander = await cachedBystander();
    expect((await bystander.me()).id).toBe(bystander.id);
    const url = running.server.url;
    const exchanges: Record<string, string>[] = [
      {
        grant_type: 'authorization_code',
        client_id: 'x',
        code: 'nope',
        redirect_uri: 'http://127.0.0.1/cb',
        code_verifier: 'v'.repeat(43),
      },
      { grant_type: 'refresh_token', client_id: 'x', refresh_token: 'tw_ort_nope' },
    ];
    for (const exchange of exchanges) {
      const refused = await form(url, '/oauth/token', exchange);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
    }
    expect((await bystander.me()).id).toBe(bystander.id);
  });

  it("a reused code stops its user's app at once, and still forgets no one else", async () => {
    const bystander = await cachedBystander();
    const url = running.server.url;
    const approved = await approvedCode(running.server);
    const tokens = (await (await form(url, '/oauth/token', approved.exchange)).json()) as Record<string, string>;
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    expect((await mcpPost(url, tokens.access_token ?? '', list)).status).toBe(200);

    expect((await form(url, '/oauth/token', approved.exchange)).status).toBe(400);
    // Cached for ten minutes, yet refused now: the revocation forgot this user.
    expect((await mcpPost(url, tokens.access_token ?? '', list)).status).toBe(401);
    expect((await bystander.me()).id).toBe(bystander.id);
  });

  it("the bystander's token counts only through the cache: once forgotten, it is refused", async () => {
    const bystander = await cachedBystander();
    expect((await bystander.me()).id).toBe(bystander.id);
    access.forgetUser(bystander.id);
    const refused = await bystander.me().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
  });
});
