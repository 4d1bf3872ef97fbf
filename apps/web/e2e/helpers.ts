import { expect, type Page } from '@playwright/test';

export const baseUrl = () => {
  const url = process.env.BASE_URL;
  if (!url) throw new Error('BASE_URL is set by e2e/global-setup.ts');
  return url;
};

let counter = 0;
export const newEmail = () => `web${Date.now()}-${++counter}@example.com`;
export const PASSWORD = 'a browser password';

/** Signs up through the first screen and waits for the task list. */
export async function signUp(page: Page, email = newEmail()): Promise<string> {
  await page.goto(baseUrl());
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('textbox', { name: 'New task' })).toBeVisible();
  return email;
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(baseUrl());
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('textbox', { name: 'New task' })).toBeVisible();
}

export async function addTask(page: Page, title: string): Promise<void> {
  const input = page.getByRole('textbox', { name: 'New task' });
  await input.fill(title);
  await input.press('Enter');
  await expect(page.getByRole('list', { name: 'Tasks' }).getByRole('checkbox', { name: title })).toBeVisible();
}

/** The session the app keeps in localStorage. */
export async function storedSession(page: Page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('taskwire.session') ?? 'null')) as Promise<{
    accessToken: string;
    refreshToken: string;
    user: { id: string };
  } | null>;
}
