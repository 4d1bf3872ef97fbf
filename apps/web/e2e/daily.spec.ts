import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { startFlakyProxy } from './flaky-proxy';
import { baseUrl, newEmail, PASSWORD, signUp, storedSession } from './helpers';

// Daily use: fast typing, Today and Upcoming, shortcuts, catching up after a reconnect, the editor's
// schedule, the phone layout.

/** A tRPC call with the page's session, from the test (not the page). */
async function api<T>(
  page: Page,
  path: string,
  input: unknown,
  method: 'GET' | 'POST' = 'GET',
  base = baseUrl(),
): Promise<T> {
  const session = await storedSession(page);
  const headers = { authorization: `Bearer ${session?.accessToken}` };
  const response =
    method === 'GET'
      ? await page.request.get(`${base}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await page.request.post(`${base}/trpc/${path}`, { headers, data: input });
  expect(response.ok(), await response.text()).toBe(true);
  return ((await response.json()) as { result: { data: T } }).result.data;
}

test('five titles typed and entered as fast as a script can are all created, in order', async ({ page }) => {
  await signUp(page);
  const input = page.getByRole('textbox', { name: 'New task' });
  const titles = ['First fast one', 'Second fast one', 'Third fast one', 'Fourth fast one', 'Fifth fast one'];
  for (const title of titles) {
    await input.fill(title);
    await input.press('Enter');
    // The field is empty at once, ready for the next title.
    await expect(input).toHaveValue('');
  }
  const list = page.getByRole('list', { name: 'Tasks' });
  for (const title of titles) await expect(list.getByRole('checkbox', { name: title })).toBeEnabled();
  await expect(list.getByRole('listitem')).toHaveCount(5);
  const page1 = await api<{ items: { title: string }[] }>(page, 'task.list', { sort: 'createdAt', order: 'asc' });
  expect(page1.items.map((task) => task.title)).toEqual(titles);
});

test('quick add: typing shows what was understood as chips; Enter creates the task with it, at once', async ({
  page,
}) => {
  await signUp(page);
  const input = page.getByRole('textbox', { name: 'New task' });
  const understood = page.getByRole('list', { name: 'Understood' });
  await input.fill('Pay rent every month on the 1st #home p1');
  // Before Enter: the understood parts, each a chip, and the title that is left.
  for (const chip of ['Pay rent', 'Every month on the 1st', '#home', 'Priority high'])
    await expect(understood.getByRole('listitem').filter({ hasText: chip })).toHaveCount(1);
  await expect(understood.getByRole('listitem').filter({ hasText: /^Due \w{3} 1 \w{3}/ })).toHaveCount(1);
  await expect(input).toHaveAttribute('aria-describedby', /.+/);
  // Recognised parts are marked in the text as typed.
  await expect(page.locator('.new-task mark')).toHaveText(['every month on the 1st', '#home', 'p1']);
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

  await input.press('Enter');
  await expect(input).toHaveValue('');
  await expect(understood).toHaveCount(0);
  const list = page.getByRole('list', { name: 'Tasks' });
  const task = list.getByRole('listitem').filter({ has: page.getByRole('checkbox', { name: 'Pay rent' }) });
  await expect(task).toContainText('#home');
  await expect(task).toContainText('high');
  await expect(task).toContainText('↻ monthly');
  const { items } = await api<{
    items: {
      title: string;
      dueAt: string | null;
      priority: string;
      tags: string[];
      recurrence: { freq: string; byMonthDay?: number } | null;
    }[];
  }>(page, 'task.list', {});
  expect(items).toHaveLength(1);
  const [created] = items;
  expect(created).toMatchObject({
    title: 'Pay rent',
    priority: 'high',
    tags: ['home'],
    recurrence: { freq: 'monthly', byMonthDay: 1 },
  });
  // Due on the next 1st of a month, in the browser's (and the account's) time zone.
  const due = new Date(created?.dueAt ?? NaN);
  expect(due.getDate()).toBe(1);
  expect(due.getTime()).toBeGreaterThan(Date.now());
  expect(due.getTime() - Date.now()).toBeLessThanOrEqual(32 * 86_400_000);

  // A reminder relative to the due time, and a project by name.
  await input.fill('Call the landlord tomorrow 9am !low remind 30m before');
  for (const chip of ['Call the landlord', 'Priority low', 'Remind 30 min before'])
    await expect(understood.getByRole('listitem').filter({ hasText: chip })).toHaveCount(1);
  await expect(understood.getByRole('listitem').filter({ hasText: /^Due \w{3} \d{1,2} \w{3} 9:00$/ })).toHaveCount(1);
  // Typing on replaces the chips with the new reading; emptying the field takes them away.
  await input.fill('Call the landlord');
  await expect(understood).toHaveCount(0);
  await page.waitForTimeout(400);
  await expect(understood).toHaveCount(0);
});

test('quick add reads times in the time zone of the browser the account was made in (a half-hour offset)', async ({
  browser,
}) => {
  const context = await browser.newContext({ timezoneId: 'Asia/Kolkata' });
  const page = await context.newPage();
  await signUp(page);
  const input = page.getByRole('textbox', { name: 'New task' });
  // The account takes the browser's zone as it is made (the server may spell it Asia/Calcutta).
  await expect
    .poll(async () => (await api<{ timezone: string }>(page, 'auth.me', null)).timezone)
    .toMatch(/^Asia\/(Kolkata|Calcutta)$/);
  await input.fill('Standup tomorrow 9am');
  const understood = page.getByRole('list', { name: 'Understood' });
  await expect(understood.getByRole('listitem').filter({ hasText: /^Due \w{3} \d{1,2} \w{3} 9:00$/ })).toHaveCount(1);
  await input.press('Enter');
  await expect(page.getByRole('checkbox', { name: 'Standup' })).toBeVisible();
  const { items } = await api<{ items: { dueAt: string | null }[] }>(page, 'task.list', {});
  // 9:00 in Kolkata (UTC+5:30) is 3:30 UTC.
  expect(items[0]?.dueAt).toMatch(/T03:30:00(\.000)?Z$/);
  await context.close();
});

/** Local midnight, `days` from today, plus `hours` (the test runs in the browser's time zone). */
const localDay = (days: number, hours = 12) => {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, hours).toISOString();
};

test('Today shows what is due or overdue today; Upcoming the next 7 days under a heading per day', async ({ page }) => {
  await signUp(page);
  const tasks: [string, string | null][] = [
    ['Overdue since yesterday', localDay(-1)],
    ['Due this morning', localDay(0, 0)],
    ['Due tonight', localDay(0, 23)],
    ['Due tomorrow', localDay(1)],
    ['Due in three days', localDay(3)],
    ['Due in ten days', localDay(10)],
    ['Whenever', null],
  ];
  for (const [title, dueAt] of tasks) await api(page, 'task.create', { title, ...(dueAt && { dueAt }) }, 'POST');
  const agenda = page.getByRole('navigation', { name: 'Agenda' });
  const projects = page.getByRole('navigation', { name: 'Projects' });

  await agenda.getByRole('link', { name: 'Today' }).click();
  await expect(page.getByRole('heading', { name: 'Today', level: 2 })).toBeVisible();
  await expect(page).toHaveURL(/view=today/);
  const today = page.getByRole('list', { name: 'Tasks' });
  await expect(today.getByRole('listitem')).toHaveCount(3);
  for (const title of ['Overdue since yesterday', 'Due this morning', 'Due tonight'])
    await expect(today.getByRole('checkbox', { name: title })).toBeVisible();

  await agenda.getByRole('link', { name: 'Upcoming' }).click();
  await expect(page.getByRole('heading', { name: 'Upcoming', level: 2 })).toBeVisible();
  const days = page.getByRole('heading', { level: 3 });
  await expect(days).toHaveCount(3);
  await expect(days.nth(0)).toHaveText('Today');
  await expect(days.nth(1)).toHaveText('Tomorrow');
  await expect(page.getByRole('list', { name: 'Today' }).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('list', { name: 'Tomorrow' }).getByRole('checkbox')).toHaveAccessibleName('Due tomorrow');
  await expect(page.getByRole('checkbox', { name: 'Due in three days' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Due in ten days' })).toHaveCount(0);
  await expect(page.getByRole('checkbox', { name: 'Whenever' })).toHaveCount(0);

  // Completing a task takes it off Today; the project links stay beside these.
  await agenda.getByRole('link', { name: 'Today' }).click();
  await today.getByRole('checkbox', { name: 'Due tonight' }).check();
  await expect(today.getByRole('checkbox', { name: 'Due tonight' })).toHaveCount(0);
  await projects.getByRole('link', { name: 'Inbox' }).click();
  await expect(page.getByRole('list', { name: 'Tasks' }).getByRole('listitem')).toHaveCount(7);
});

test('keys: q focuses New task, / focuses Search, Escape closes the editor, ? lists them', async ({ page }) => {
  await signUp(page);
  const newTask = page.getByRole('textbox', { name: 'New task' });
  const search = page.getByRole('searchbox', { name: 'Search' });
  await page.getByRole('heading', { name: 'Inbox' }).click();
  await page.keyboard.press('q');
  await expect(newTask).toBeFocused();
  // Typing in a field types, shortcuts or not.
  await page.keyboard.type('quiet / question?');
  await expect(newTask).toHaveValue('quiet / question?');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('checkbox', { name: 'quiet / question?' })).toBeEnabled();

  await page.getByRole('heading', { name: 'Inbox' }).click();
  await page.keyboard.press('/');
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('');

  await page.getByRole('button', { name: 'Edit quiet / question?' }).click();
  const title = page.getByRole('textbox', { name: 'Title', exact: true });
  await expect(title).toBeVisible();
  await title.focus();
  await page.keyboard.press('Escape');
  await expect(title).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Edit quiet / question?' })).toBeFocused();

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const does of ['New task', 'Search', 'Close the task editor']) await expect(help).toContainText(does);
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(help).toBeVisible();
  await help.getByRole('button', { name: 'Close' }).click();
  await expect(help).toHaveCount(0);
});

test('after the stream was down (502s meanwhile), the app shows what changed, within 2 s of reconnecting, without a reload', async ({
  page,
}) => {
  const proxy = await startFlakyProxy(baseUrl());
  try {
    await page.goto(proxy.url);
    await page.getByLabel('Email').fill(newEmail());
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByRole('textbox', { name: 'New task' })).toBeVisible();
    await expect.poll(proxy.streams).toBe(1);
    // A page that is reloaded loses this.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));

    proxy.down();
    await expect(page.getByText('Reconnecting to Taskwire')).toBeVisible();
    // Changed elsewhere while this tab cannot hear of it; this tab has had no event at all.
    await api(page, 'task.create', { title: 'Added while the stream was down' }, 'POST');
    // The browser tries again, gets 502s, and keeps trying.
    await page.waitForTimeout(4_000);
    await expect(page.getByText('Reconnecting to Taskwire')).toBeVisible();

    proxy.up();
    await expect.poll(proxy.streams, { timeout: 30_000 }).toBe(2);
    await expect(page.getByRole('checkbox', { name: 'Added while the stream was down' })).toBeVisible({
      timeout: 2_000,
    });
    await expect(page.getByText('Reconnecting to Taskwire')).toHaveCount(0);
    expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(true);
  } finally {
    await proxy.close();
  }
});

test('Repeat without a due date is said, never dropped; a reminder set in the past is just a reminder', async ({
  page,
}) => {
  await signUp(page);
  await page.getByRole('textbox', { name: 'New task' }).fill('Water the fern');
  await page.getByRole('textbox', { name: 'New task' }).press('Enter');
  await page.getByRole('button', { name: 'Edit Water the fern' }).click();
  await page.getByRole('combobox', { name: /^Repeat/ }).selectOption('weekly');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toHaveText(/needs a due date/);
  await expect(page.getByRole('textbox', { name: 'Due', exact: true })).toBeFocused();
  await page.getByRole('textbox', { name: 'Due', exact: true }).fill('2031-03-05T09:30');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('textbox', { name: 'Title', exact: true })).toHaveCount(0);
  await expect(page.getByRole('listitem').filter({ hasText: 'Water the fern' })).toContainText('↻ weekly');
  await page.getByRole('button', { name: 'Edit Water the fern' }).click();
  await expect(page.getByRole('combobox', { name: /^Repeat/ })).toHaveValue('weekly');
  await page.keyboard.press('Escape');

  const remindAt = new Date(Date.now() - 60_000).toISOString();
  await api(page, 'task.create', { title: 'Already past', remindAt }, 'POST');
  const notice = page.getByRole('status').filter({ hasText: 'Reminder: Already past' });
  await expect(notice).toBeVisible({ timeout: 15_000 });
  await expect(notice).not.toContainText('missed');
  await expect(notice).not.toContainText('offline');
});

test('phone: the first task shows without scrolling, filters fold behind Filters, Edit and Delete share the task’s row', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signUp(page);
  for (let i = 1; i <= 5; i++) await api(page, 'task.create', { title: `Phone task ${i}`, tags: ['home'] }, 'POST');
  await page.reload();
  const list = page.getByRole('list', { name: 'Tasks' });
  await expect(list.getByRole('listitem')).toHaveCount(5);
  const first = list.getByRole('listitem').first();
  const box = await first.boundingBox();
  expect(box && box.y + box.height).toBeLessThanOrEqual(844);

  // Folded: only Search and the Filters button show until it is pressed.
  const status = page.getByRole('combobox', { name: /^Status/ });
  await expect(status).toBeHidden();
  await expect(page.getByRole('searchbox', { name: 'Search' })).toBeVisible();
  await page.getByRole('button', { name: 'Filters' }).click();
  await expect(status).toBeVisible();
  await expect(page.getByRole('button', { name: 'Filters' })).toHaveAttribute('aria-expanded', 'true');
  await status.selectOption('open');
  await expect(page.getByRole('button', { name: 'Filters (1)' })).toBeVisible();

  const checkbox = await first.getByRole('checkbox').boundingBox();
  for (const name of ['Edit Phone task 5', 'Delete Phone task 5']) {
    const button = await page.getByRole('button', { name }).boundingBox();
    // On the checkbox's line, not a row of their own below it.
    expect(button && checkbox && button.y).toBeLessThan((checkbox?.y ?? 0) + (checkbox?.height ?? 0));
  }
  // Sign out is there, but not a filled, primary button.
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await expect(signOut).toBeVisible();
  expect(await signOut.evaluate((button) => getComputedStyle(button).backgroundColor)).toBe('rgba(0, 0, 0, 0)');

  // A toast never hides the last task: scrolled to the end, the last task is above it.
  await page.getByRole('button', { name: 'Delete Phone task 5' }).click();
  const toast = page.getByRole('status').filter({ hasText: 'Deleted “Phone task 5”' });
  await expect(toast).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await expect(list.getByRole('listitem')).toHaveCount(4);
  const last = await list.getByRole('listitem').last().boundingBox();
  const toastBox = await toast.boundingBox();
  expect(last && toastBox && last.y + last.height).toBeLessThanOrEqual(toastBox?.y ?? 0);
  await context.close();
});

test('desktop: the filters keep to a tidy grid within the page once long tags exist', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signUp(page);
  const tags = ['groceries-and-household', 'quarterly-planning-review', 'errands'];
  await api(page, 'task.create', { title: 'Tagged', tags }, 'POST');
  await page.reload();
  await expect(page.getByRole('combobox', { name: /^Tag/ })).toContainText('quarterly-planning-review');
  await expect(page.getByRole('button', { name: 'Filters' })).toBeHidden();
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(widths[0]).toBeLessThanOrEqual(widths[1] ?? 0);
  // Every control's cell is the same width: nothing stretches one row and breaks the next.
  const cells = await page
    .locator('.filters > label')
    .evaluateAll((labels) => labels.map((label) => Math.round(label.getBoundingClientRect().width)));
  expect(new Set(cells).size).toBe(1);
});

test('the account page names devices in words, not user-agent strings', async ({ page }) => {
  await signUp(page);
  await page.getByRole('link', { name: 'Account' }).click();
  const sessions = page.getByRole('list', { name: 'Sessions' });
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  await expect(sessions).toContainText(/Chrom\w*( \w+)? on Linux/);
  await expect(sessions).not.toContainText('Mozilla/5.0');
});
