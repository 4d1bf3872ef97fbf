// `pnpm --filter @taskwire/server docs:browser`: Swagger UI at /docs in a real browser. Starts the
// server on an in-memory PGlite, drives Debian's Chromium with playwright-core (never a
// downloaded browser), and checks that a person can use the page: the operations are listed, no
// content-security-policy violation or script error occurs, signing up from the page answers 201,
// the OAuth2 "Authorize" dialog signs in through /api/auth/login, and an authorized call answers 200.
// `.ci/run` installs Debian's chromium when missing and runs this after the test suites.

import { createTokenService } from '@taskwire/api';
import { createDb, migrateToLatest } from '@taskwire/db';
import pino from 'pino';
import { chromium, type Page } from 'playwright-core';
import { buildServer } from '../src/build-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TIMEOUT_MS = 30_000;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`docs check failed: ${message}`);
  console.log(`ok - ${message}`);
}

/** Expands an operation ("Try it out" is on from the start, `user_id` filled with `me`), optionally replaces the JSON body, executes, and returns the status and body shown. */
async function tryOperation(page: Page, operationId: string, tag: string, body?: unknown) {
  const operation = page.locator(`#operations-${tag}-${operationId}`);
  await operation.locator('.opblock-summary').first().click();
  if (body !== undefined) await operation.locator('textarea.body-param__text').fill(JSON.stringify(body));
  await operation.locator('button.execute').click();
  const response = operation.locator('.live-responses-table .response').first();
  await response.locator('.response-col_status').waitFor({ timeout: TIMEOUT_MS });
  return {
    status: ((await response.locator('.response-col_status').textContent()) ?? '').trim(),
    body: (await response.locator('.response-col_description').textContent()) ?? '',
  };
}

const db = createDb();
await migrateToLatest(db);
const app = await buildServer({
  db,
  tokens: createTokenService({
    secret: 'docs-browser-check-secret-of-32-bytes!!',
    issuer: 'taskwire',
    audience: 'taskwire-api',
    accessTokenTtlSeconds: 900,
  }),
  logger: pino({ level: 'warn' }),
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (!address || typeof address === 'string') throw new Error('server has no TCP address');
const baseUrl = `http://127.0.0.1:${address.port}`;

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: TIMEOUT_MS });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });

  const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as { paths: Record<string, object> };
  const documented = Object.values(document.paths).reduce((sum, methods) => sum + Object.keys(methods).length, 0);

  const response = await page.goto(`${baseUrl}/docs`);
  check(response?.status() === 200, 'GET /docs answers 200');
  await page.locator('.opblock').first().waitFor();
  const listed = await page.locator('.opblock').count();
  check(listed === documented, `the page lists all ${documented} documented operations (found ${listed})`);
  check(
    ((await page.locator('.info .title').textContent()) ?? '').includes('Taskwire REST API'),
    'the title comes from /openapi.json',
  );

  const email = `browser-${Date.now()}@example.com`;
  const signedUp = await tryOperation(page, 'auth_signUp', 'auth', { email, password: 'browser password' });
  check(signedUp.status === '201', `signing up from the page answers 201 (got ${signedUp.status})`);

  await page.locator('.auth-wrapper button.authorize').click();
  const oauth = page.locator('.auth-container', { hasText: 'oauth2Password' });
  await oauth.locator('#oauth_username').fill(email);
  await oauth.locator('#oauth_password').fill('browser password');
  await oauth.locator('button.authorize').click();
  await oauth.locator('button', { hasText: 'Logout' }).waitFor();
  check(true, 'the OAuth2 password flow signs in through /api/auth/login');
  await page.locator('.dialog-ux button.close-modal').click();

  const me = await tryOperation(page, 'auth_me', 'auth');
  check(
    me.status === '200' && me.body.includes(email),
    `an authorized call (GET /api/auth/me) answers 200 (got ${me.status})`,
  );
  const created = await tryOperation(page, 'task_create', 'tasks', { title: 'Made in Swagger UI' });
  check(created.status === '201', `creating a task from the page answers 201 (got ${created.status})`);
  const list = await tryOperation(page, 'task_list', 'tasks');
  check(
    list.status === '200' && list.body.includes('Made in Swagger UI'),
    `listing tasks from the page shows the new task (got ${list.status})`,
  );

  check(
    problems.length === 0,
    `no script errors or CSP violations${problems.length ? `: ${problems.join('; ')}` : ''}`,
  );
  console.log('docs browser check passed');
} finally {
  await browser.close();
  await app.close();
  await db.destroy();
}
