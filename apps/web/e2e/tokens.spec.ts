import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { baseUrl, signUp, storedSession } from './helpers';

// Access tokens on the account page: created in the UI, shown once and copied, then used by a
// script (this test's fetch) on /trpc and /api: it reads, a write is FORBIDDEN, and once revoked it is refused.

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

test('a read-only token: created, copied, reads, cannot write, and stops working once revoked', async ({ browser }) => {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl() });
  const page = await context.newPage();
  await signUp(page);
  const userId = (await storedSession(page))?.user.id;
  await page.getByRole('link', { name: 'Account' }).click();
  const section = page.getByRole('region', { name: 'Access tokens' });
  await expect(section.getByRole('heading', { name: 'Access tokens' })).toBeVisible();

  await section.getByRole('textbox', { name: 'Token name' }).fill('Backup script');
  await expect(section.getByRole('combobox', { name: 'Access' })).toHaveValue('read');
  await section.getByRole('combobox', { name: 'Expires after' }).selectOption({ label: '30 days' });
  await section.getByRole('button', { name: 'Create token' }).click();

  const secret = section.getByRole('textbox', { name: 'New token' });
  await expect(secret).toHaveValue(/^tw_pat_\S+$/);
  const token = await secret.inputValue();
  // The form, the token shown once and the list, as a screen reader and axe see them.
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  await section.getByRole('button', { name: 'Copy' }).click();
  await expect(section.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

  // The list: name, the token's first characters (never the token), what it may do, where, expiry.
  const listed = page.getByRole('list', { name: 'Access tokens' }).getByRole('listitem');
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText('Backup script');
  await expect(listed).toContainText('read only');
  await expect(listed).toContainText('all projects');
  await expect(listed).toContainText('last used');
  await expect(listed).toContainText('expires');
  await expect(listed).not.toContainText(token);
  const prefix = (await listed.locator('code').textContent())?.replace('…', '') ?? '';
  expect(prefix.length).toBeGreaterThan(0);
  expect(token.startsWith(prefix)).toBe(true);

  // Done hides the secret for good.
  await section.getByRole('button', { name: 'Done' }).click();
  await expect(secret).toHaveCount(0);

  // A script with it: reads on both doors, and every write is FORBIDDEN.
  const list = await fetch(`${baseUrl()}/trpc/task.list?input=${encodeURIComponent('{}')}`, {
    headers: bearer(token),
  });
  expect(list.status, await list.clone().text()).toBe(200);
  const rest = await fetch(`${baseUrl()}/api/${userId}/tasks`, { headers: bearer(token) });
  expect(rest.status).toBe(200);
  const write = await fetch(`${baseUrl()}/trpc/task.create`, {
    method: 'POST',
    headers: bearer(token),
    body: JSON.stringify({ title: 'Written by a read-only token' }),
  });
  expect(write.status).toBe(403);
  expect(((await write.json()) as { error: { data: { code: string } } }).error.data.code).toBe('FORBIDDEN');
  const restWrite = await fetch(`${baseUrl()}/api/${userId}/tasks`, {
    method: 'POST',
    headers: bearer(token),
    body: JSON.stringify({ title: 'Written by a read-only token' }),
  });
  expect(restWrite.status).toBe(403);

  await page.getByRole('button', { name: 'Revoke Backup script' }).click();
  await expect(listed).toHaveCount(0);
  await expect(page.getByText('No access token yet.')).toBeVisible();
  const after = await fetch(`${baseUrl()}/trpc/task.list?input=${encodeURIComponent('{}')}`, {
    headers: bearer(token),
  });
  expect(after.status).toBe(401);
  const restAfter = await fetch(`${baseUrl()}/api/${userId}/tasks`, { headers: bearer(token) });
  expect(restAfter.status).toBe(401);
  await context.close();
});

test('a read-and-write token for one project writes there, and a failed create says why', async ({ page }) => {
  await signUp(page);
  await page.getByRole('button', { name: 'New project' }).click();
  await page.getByRole('textbox', { name: 'Project name' }).fill('Home automation');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Home automation' })).toBeVisible();
  await page.getByRole('link', { name: 'Account' }).click();
  const section = page.getByRole('region', { name: 'Access tokens' });

  await section.getByRole('textbox', { name: 'Token name' }).fill('Lights');
  await section.getByRole('combobox', { name: 'Access' }).selectOption({ label: 'Read and write' });
  await section.getByRole('checkbox', { name: 'All projects' }).uncheck();
  // Nothing chosen: nothing to create.
  await expect(section.getByRole('button', { name: 'Create token' })).toBeDisabled();
  await section.getByRole('checkbox', { name: 'Home automation' }).check();
  await section.getByRole('combobox', { name: 'Expires after' }).selectOption({ label: 'Never' });
  await section.getByRole('button', { name: 'Create token' }).click();
  const token = await section.getByRole('textbox', { name: 'New token' }).inputValue();
  expect(token).toMatch(/^tw_pat_/);
  const listed = page.getByRole('list', { name: 'Access tokens' }).getByRole('listitem');
  await expect(listed).toContainText('read and write');
  await expect(listed).toContainText('Home automation');
  await expect(listed).toContainText('never expires');

  const created = await fetch(`${baseUrl()}/trpc/task.create`, {
    method: 'POST',
    headers: bearer(token),
    body: JSON.stringify({ title: 'Turn the porch light off' }),
  });
  expect(created.status, await created.clone().text()).toBe(200);
  await page.getByRole('link', { name: 'Home automation' }).click();
  await expect(page.getByRole('checkbox', { name: 'Turn the porch light off' })).toBeVisible();

  // A name of spaces only is refused by the server, and the form says so.
  await page.getByRole('link', { name: 'Account' }).click();
  await section.getByRole('textbox', { name: 'Token name' }).fill('   ');
  await section.getByRole('button', { name: 'Create token' }).click();
  await expect(section.getByRole('alert')).toContainText(/The token was not created: .*Name must not be empty/);
  await expect(listed).toHaveCount(1);
});

test('with the quota of tokens reached, creating one says so', async ({ page }) => {
  await signUp(page);
  const session = await storedSession(page);
  const headers = { authorization: `Bearer ${session?.accessToken}` };
  // The account's quota (50 by default), made by a script.
  for (let i = 1; i <= 50; i++) {
    const response = await page.request.post(`${baseUrl()}/trpc/token.create`, {
      headers,
      data: { name: `Script ${i}`, scopes: ['tasks:read'] },
    });
    expect(response.ok(), await response.text()).toBe(true);
  }
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('button', { name: 'Revoke Script 50' })).toBeVisible();
  const section = page.getByRole('region', { name: 'Access tokens' });
  await section.getByRole('textbox', { name: 'Token name' }).fill('One too many');
  await section.getByRole('button', { name: 'Create token' }).click();
  await expect(section.getByRole('alert')).toContainText(/The token was not created: Quota reached: at most 50/);
  await expect(section.getByRole('textbox', { name: 'New token' })).toHaveCount(0);
});
