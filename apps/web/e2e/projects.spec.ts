import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { addTask, signUp } from './helpers';

// Two people in two browsers share a project: the owner creates it and invites, the invitee
// accepts; each sees the other's changes live; the owner makes the invitee a viewer, then removes
// them, and the project leaves the invitee's screen.

/** Live changes reach the other browser within this (the app refetches on each event). */
const LIVE = { timeout: 5_000 };

const projectsNav = (page: Page) => page.getByRole('navigation', { name: 'Projects' });
const tasks = (page: Page) => page.getByRole('list', { name: 'Tasks' });

test('a shared project: invite, accept, live changes both ways, assign, demote, remove', async ({ browser }) => {
  const owner = await (await browser.newContext()).newPage();
  const invitee = await (await browser.newContext()).newPage();
  await signUp(owner);
  const inviteeEmail = await signUp(invitee);

  // The Inbox is the only project, and the first link, of a new account.
  await expect(projectsNav(owner).getByRole('link')).toHaveText(['Inbox']);
  await expect(owner.getByRole('heading', { name: 'Inbox' })).toBeVisible();

  await owner.getByRole('button', { name: 'New project' }).click();
  const naming = owner.getByRole('dialog', { name: 'New project' });
  await naming.getByRole('textbox', { name: 'Project name' }).fill('Garden club');
  await naming.getByRole('button', { name: 'Create' }).click();
  await expect(projectsNav(owner).getByRole('link')).toHaveText(['Inbox', 'Garden club']);
  await expect(projectsNav(owner).getByRole('link', { name: 'Garden club' })).toHaveAttribute('aria-current', 'page');
  await expect(owner.getByRole('heading', { name: 'Garden club' })).toBeVisible();
  await addTask(owner, 'Buy seeds');

  // New tasks went into the project: the Inbox has none.
  await projectsNav(owner).getByRole('link', { name: 'Inbox' }).click();
  await expect(owner.getByText('Nothing here yet.')).toBeVisible();
  await projectsNav(owner).getByRole('link', { name: 'Garden club' }).click();
  await expect(tasks(owner).getByRole('checkbox', { name: 'Buy seeds' })).toBeVisible();

  await owner.getByRole('button', { name: 'Share' }).click();
  const share = owner.getByRole('dialog', { name: 'Share Garden club' });
  await share.getByRole('textbox', { name: 'Invite by email' }).fill(inviteeEmail);
  await share.getByRole('combobox', { name: 'Role' }).selectOption('editor');
  await share.getByRole('button', { name: 'Invite' }).click();
  await expect(share.getByRole('status')).toContainText(`Invited ${inviteeEmail}`);
  const axe = await new AxeBuilder({ page: owner }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

  // The invitation reaches the invitee's open page live.
  const invitation = invitee.getByRole('region', { name: 'Invitations' }).getByRole('listitem');
  await expect(invitation).toContainText('Garden club', LIVE);
  await invitation.getByRole('button', { name: 'Accept' }).click();
  await expect(invitee.getByRole('heading', { name: 'Garden club' })).toBeVisible();
  await expect(projectsNav(invitee).getByRole('link')).toHaveText(['Inbox', 'Garden club']);
  await expect(tasks(invitee).getByRole('checkbox', { name: 'Buy seeds' })).toBeVisible();
  await expect(invitee.getByRole('region', { name: 'Invitations' })).toHaveCount(0);
  const sharedUrl = invitee.url();

  // The owner's open dialog lists the new member.
  await expect(share.getByRole('button', { name: `Remove ${inviteeEmail}` })).toBeVisible(LIVE);
  await share.getByRole('button', { name: 'Close' }).click();

  // Each sees the other's changes live.
  await addTask(invitee, 'Rake the leaves');
  await expect(tasks(owner).getByRole('checkbox', { name: 'Rake the leaves' })).toBeVisible(LIVE);
  await tasks(owner).getByRole('checkbox', { name: 'Buy seeds' }).check();
  await expect(tasks(invitee).getByRole('checkbox', { name: 'Buy seeds' })).toBeChecked(LIVE);

  // The owner assigns a task to the invitee, who finds it under Assigned to me.
  await tasks(owner).getByRole('button', { name: 'Edit Rake the leaves' }).click();
  await owner.getByRole('combobox', { name: 'Assignee' }).selectOption({ label: inviteeEmail });
  await owner.getByRole('button', { name: 'Save' }).click();
  await expect(tasks(invitee).getByText(`assigned to you`)).toBeVisible(LIVE);
  await invitee.getByRole('checkbox', { name: 'Assigned to me' }).check();
  await expect(tasks(invitee).getByRole('listitem')).toHaveCount(1);
  await expect(tasks(invitee).getByRole('checkbox', { name: 'Rake the leaves' })).toBeVisible();
  await invitee.getByRole('checkbox', { name: 'Assigned to me' }).uncheck();

  // Made a viewer, the invitee reads but can no longer add.
  await owner.getByRole('button', { name: 'Share' }).click();
  await share.getByRole('combobox', { name: `Role of ${inviteeEmail}` }).selectOption('viewer');
  await expect(invitee.getByRole('textbox', { name: 'New task' })).toHaveCount(0, LIVE);
  await expect(tasks(invitee).getByRole('checkbox', { name: 'Buy seeds' })).toBeDisabled();

  // Removed, the invitee is cut off: the project leaves their screen, and its link leads to the Inbox.
  await share.getByRole('button', { name: `Remove ${inviteeEmail}` }).click();
  await expect(share.getByRole('button', { name: `Remove ${inviteeEmail}` })).toHaveCount(0);
  await expect(projectsNav(invitee).getByRole('link')).toHaveText(['Inbox'], LIVE);
  await expect(invitee.getByRole('heading', { name: 'Inbox' })).toBeVisible();
  await expect(invitee.getByText('Buy seeds')).toHaveCount(0);
  await expect(
    invitee.getByRole('status').filter({ hasText: '“Garden club” is no longer shared with you' }),
  ).toBeVisible();
  await invitee.goto(sharedUrl);
  await expect(invitee.getByRole('heading', { name: 'Inbox' })).toBeVisible();
  await expect(invitee).not.toHaveURL(/project=/);
  await expect(invitee.getByText('Rake the leaves')).toHaveCount(0);
});

test('declining an invitation leaves nothing behind', async ({ browser }) => {
  const owner = await (await browser.newContext()).newPage();
  const invitee = await (await browser.newContext()).newPage();
  await signUp(owner);
  const inviteeEmail = await signUp(invitee);
  await owner.getByRole('button', { name: 'New project' }).click();
  await owner.getByRole('textbox', { name: 'Project name' }).fill('Book club');
  await owner.keyboard.press('Enter');
  await owner.getByRole('button', { name: 'Share' }).click();
  await owner.getByRole('textbox', { name: 'Invite by email' }).fill(inviteeEmail);
  await owner.getByRole('combobox', { name: 'Role' }).selectOption('viewer');
  await owner.getByRole('button', { name: 'Invite' }).click();
  const invitation = invitee.getByRole('region', { name: 'Invitations' }).getByRole('listitem');
  await expect(invitation).toContainText('Book club', LIVE);
  await expect(invitation).toContainText('as viewer');
  await invitation.getByRole('button', { name: 'Decline' }).click();
  await expect(invitee.getByRole('region', { name: 'Invitations' })).toHaveCount(0);
  await invitee.reload();
  await expect(projectsNav(invitee).getByRole('link')).toHaveText(['Inbox']);
  await expect(invitee.getByRole('region', { name: 'Invitations' })).toHaveCount(0);
});
