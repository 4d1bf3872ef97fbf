import { createHash, randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { baseUrl, PASSWORD, signUp } from './helpers';

// OAuth for MCP clients in a real browser: an app registers, the user (signed in) sees the consent
// screen (after signing in), limits the app to one project and clicks Allow; the app gets its code back with its
// state and exchanges it; the account page lists it under Connected apps and revokes it. Deny
// sends access_denied. Nothing listens at the redirect URI: the test catches the navigation.

const REDIRECT = 'http://127.0.0.1:9/callback';

async function registerClient(name: string) {
  const response = await fetch(`${baseUrl()}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: name, redirect_uris: [REDIRECT] }),
  });
  return String(((await response.json()) as { client_id: string }).client_id);
}

function authorizeUrl(clientId: string, challenge: string) {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'tasks:read tasks:write',
    state: 'e2e-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: `${baseUrl()}/mcp`,
  });
  return `${baseUrl()}/oauth/authorize?${query}`;
}

test('consent: Allow for one project, the code works at /mcp, Connected apps revokes it; Deny', async ({ page }) => {
  const email = await signUp(page);
  const clientId = await registerClient('E2E Assistant');
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  await page.route(`${REDIRECT}**`, (route) => route.fulfill({ status: 200, body: 'back in the app' }));

  // Signed out: the consent screen signs the user in first.
  await page.evaluate(() => localStorage.clear());
  const consent = await page.goto(authorizeUrl(clientId, challenge));
  expect(consent?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Allow E2E Assistant to use your Taskwire account?' })).toBeVisible();
  await expect(page.getByText('Create, change, complete and delete tasks')).toBeVisible();
  await page.getByRole('checkbox', { name: 'All projects' }).uncheck();
  await page.getByRole('checkbox', { name: 'Inbox' }).check();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${REDIRECT}**`);
  const callback = new URL(page.url());
  expect(callback.searchParams.get('state')).toBe('e2e-state');

  const token = await fetch(`${baseUrl()}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      client_id: clientId,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      resource: `${baseUrl()}/mcp`,
    }),
  });
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  const mcp = await fetch(`${baseUrl()}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  expect(mcp.status).toBe(200);

  await page.goto(`${baseUrl()}/?view=account`);
  const apps = page.getByRole('list', { name: 'Connected apps' });
  await expect(apps.getByText('E2E Assistant')).toBeVisible();
  await apps.getByRole('button', { name: 'Revoke E2E Assistant' }).click();
  await expect(apps.getByText('E2E Assistant')).toHaveCount(0);

  await page.goto(authorizeUrl(clientId, challenge));
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL(`${REDIRECT}**`);
  const deniedUrl = new URL(page.url());
  expect(deniedUrl.searchParams.get('error')).toBe('access_denied');
  expect(deniedUrl.searchParams.get('state')).toBe('e2e-state');
});
