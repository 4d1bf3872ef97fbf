import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-users-and-tasks.js';
import * as m0002 from './0002-organise-tasks.js';
import * as m0003 from './0003-sessions.js';
import * as m0004 from './0004-account-security.js';
import * as m0005 from './0005-deleted-identities.js';
import * as m0006 from './0006-tag-counts.js';
import * as m0007 from './0007-task-events.js';
import * as m0008 from './0008-outbox-bounds.js';
import * as m0009 from './0009-projects.js';
import * as m0010 from './0010-personal-tokens.js';
import * as m0011 from './0011-activity.js';
import * as m0012 from './0012-oauth.js';
import * as m0013 from './0013-calendar-feeds.js';
import * as m0014 from './0014-webhooks.js';
import * as m0015 from './0015-foreign-key-indexes.js';

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
  '0008-outbox-bounds': m0008,
  '0009-projects': m0009,
  '0010-personal-tokens': m0010,
  '0011-activity': m0011,
  '0012-oauth': m0012,
  '0013-calendar-feeds': m0013,
  '0014-webhooks': m0014,
  '0015-foreign-key-indexes': m0015,
};
