import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { SignJWT } from 'jose';
import { JWT_SECRET } from './global-setup';
import { addTask, baseUrl, newEmail, signIn, signUp, storedSession } from './helpers';

test('a person signs up, manages tasks, and is still signed in after a reload', async ({ page }) => {
  await signUp(page);
  for (const title of ['Buy oat milk', 'Call the plumber', 'Book train tickets']) await addTask(page, title);
  const list = page.getByRole('list', { name: 'Tasks' });
  await expect(list.getByRole('listitem')).toHaveCount(3);

  await list.getByRole('checkbox', { name: 'Call the plumber' }).check();
  await expect(list.getByRole('checkbox', { name: 'Call the plumber' })).toBeChecked();

  await page.getByLabel('Search').fill('milk');
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(page).toHaveURL(/q=milk/);
  await page.getByLabel('Search').fill('');
  await expect(list.getByRole('listitem')).toHaveCount(3);

  await page.getByLabel('Status').selectOption('completed');
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(page).toHaveURL(/status=completed/);
  await page.getByLabel('Status').selectOption('all');

  await list.getByRole('button', { name: 'Delete Book train tickets' }).click();
  await expect(list.getByRole('checkbox', { name: 'Book train tickets' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(list.getByRole('checkbox', { name: 'Book train tickets' })).toBeVisible();

  await page.reload();
  await expect(page.getByRole('list', { name: 'Tasks' }).getByRole('listitem')).toHaveCount(3);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});

test('a change in one browser appears in another of the same user within 2 s', async ({ browser }) => {
  const first = await (await browser.newContext()).newPage();
  const email = await signUp(first);
  const second = await (await browser.newContext()).newPage();
  await signIn(second, email);
  // Both are connected once the app has settled.
  await second.waitForTimeout(500);
  await addTask(first, 'Seen on the other device');
  await expect(second.getByRole('checkbox', { name: 'Seen on the other device' })).toBeVisible({ timeout: 2_000 });
});

test('a reminder set 5 s ahead shows its notice', async ({ page }) => {
  await signUp(page);
  const session = await storedSession(page);
  const remindAt = new Date(Date.now() + 5_000).toISOString();
  const created = await page.request.post(`${baseUrl()}/trpc/task.create`, {
    headers: { authorization: `Bearer ${session?.accessToken}` },
    data: { title: 'Stretch your legs', remindAt },
  });
  expect(created.ok()).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: 'Reminder: Stretch your legs' })).toBeVisible({
    timeout: 10_000,
  });
});

test('a second user sees none of the first user’s tasks', async ({ browser }) => {
  const alice = await (await browser.newContext()).newPage();
  await signUp(alice);
  await addTask(alice, 'Alice’s secret plan');
  const bob = await (await browser.newContext()).newPage();
  await signUp(bob);
  await addTask(bob, 'Bob’s own task');
  await expect(bob.getByRole('list', { name: 'Tasks' }).getByRole('listitem')).toHaveCount(1);
  await expect(bob.getByText('Alice’s secret plan')).toHaveCount(0);
  await bob.getByLabel('Search').fill('secret');
  await expect(bob.getByRole('list', { name: 'Tasks' }).getByRole('listitem')).toHaveCount(0);
});

test('an expired access token is refreshed without the person noticing', async ({ page }) => {
  await signUp(page);
  await addTask(page, 'Still here after expiry');
  const session = await storedSession(page);
  if (!session) throw new Error('no session stored');
  const expired = await expiredToken(session.user.id);
  await storeAccessToken(page, expired);
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Still here after expiry' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  const refreshed = await storedSession(page);
  expect(refreshed?.accessToken).not.toBe(expired);
  expect(refreshed?.refreshToken).not.toBe(session.refreshToken);
});

test('two tabs of one session refresh an expired token at once and both stay signed in', async ({ context }) => {
  const first = await context.newPage();
  await signUp(first);
  await addTask(first, 'Open in two tabs');
  const second = await context.newPage();
  await second.goto(baseUrl());
  await expect(second.getByRole('checkbox', { name: 'Open in two tabs' })).toBeVisible();
  const session = await storedSession(first);
  if (!session) throw new Error('no session stored');
  const expired = await expiredToken(session.user.id);
  await storeAccessToken(first, expired);
  // Both tabs find the token expired together; without one refresh at a time, the second use of
  // the refresh token would look stolen and end the session.
  await Promise.all([first.reload(), second.reload()]);
  for (const page of [first, second]) {
    await expect(page.getByRole('checkbox', { name: 'Open in two tabs' })).toBeVisible();
  }
  await first.waitForTimeout(2_500);
  for (const page of [first, second]) {
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  }
  expect((await storedSession(first))?.accessToken).not.toBe(expired);
});

test('has no serious or critical accessibility violations, signed out and signed in', async ({ page }) => {
  await page.goto(baseUrl());
  const signedOut = await new AxeBuilder({ page }).analyze();
  expect(signedOut.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  await signUp(page, newEmail());
  await addTask(page, 'Accessible task');
  const signedIn = await new AxeBuilder({ page }).analyze();
  expect(signedIn.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
});

test('works with the keyboard alone', async ({ page }) => {
  await page.goto(baseUrl());
  await expect(page.getByLabel('Email')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type(newEmail());
  await page.keyboard.press('Tab');
  await page.keyboard.type('a browser password');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Sign up' })).toBeFocused();
  await page.keyboard.press('Enter');
  const newTask = page.getByRole('textbox', { name: 'New task' });
  await newTask.focus();
  await page.keyboard.type('Typed, not clicked');
  await page.keyboard.press('Enter');
  const checkbox = page.getByRole('checkbox', { name: 'Typed, not clicked' });
  await checkbox.focus();
  await page.keyboard.press('Space');
  await expect(checkbox).toBeChecked();
});

test('signing out everywhere from the account page signs out the other device too', async ({ browser }) => {
  const laptop = await (await browser.newContext()).newPage();
  const email = await signUp(laptop);
  const phone = await (await browser.newContext()).newPage();
  await signIn(phone, email);
  await laptop.getByRole('link', { name: 'Account' }).click();
  await expect(laptop.getByRole('list', { name: 'Sessions' }).getByRole('listitem')).toHaveCount(2);
  await laptop.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(laptop.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // The phone's live stream ends within seconds, its refresh is refused: back to the sign-in screen.
  await expect(phone.getByRole('button', { name: 'Sign in' })).toBeVisible({ timeout: 10_000 });
});

test('says so when the browser goes offline', async ({ page, context }) => {
  await signUp(page);
  await context.setOffline(true);
  await expect(page.getByText('You are offline')).toBeVisible();
  await context.setOffline(false);
  await expect(page.getByText('You are offline')).toHaveCount(0);
});

/** An access token as the server signs them, already expired. */
async function expiredToken(userId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ typ: 'access' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer('taskwire')
    .setAudience('taskwire-api')
    .setIssuedAt(now - 1_000)
    .setExpirationTime(now - 100)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

/** Replaces the access token of the session the app keeps, as if it had been stored long ago. */
async function storeAccessToken(page: Page, token: string): Promise<void> {
  await page.evaluate((value) => {
    const stored = JSON.parse(localStorage.getItem('taskwire.session') ?? '{}');
    localStorage.setItem('taskwire.session', JSON.stringify({ ...stored, accessToken: value }));
  }, token);
}
