import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-users-and-tasks.js';
import * as m0002 from './0002-organise-tasks.js';
import * as m0003 from './0003-sessions.js';
import * as m0004 from './0004-account-security.js';
import * as m0005 from './0005-deleted-identities.js';
import * as m0006 from './0006-tag-counts.js';
import * as m0007 from './0007-task-events.js';

/**
 * Every migration, in order. Migrations only go forward: a shipped migration is never edited;
 * a change is a new file added here. Imported statically so the same list works from src and dist.
 */
export const migrations: Record<string, Migration> = {
  '0001-users-and-tasks': m0001,
  '0002-organise-tasks': m0002,
  '0003-sessions': m0003,
  '0004-account-security': m0004,
  '0005-deleted-identities': m0005,
  '0006-tag-counts': m0006,
  '0007-task-events': m0007,
};
