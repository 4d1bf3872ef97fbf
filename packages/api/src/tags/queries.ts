import { type Db, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import { transactionTime } from '../database-time.js';
import { deleteInBatches } from '../delete-in-batches.js';
import { conflictError, notFoundError } from '../errors.js';
import { holdQuotas, type Quotas, quotaExceededError } from '../quotas.js';
import type { Tag } from './schemas.js';

// Every function takes the owner's id: tag names and ids only ever resolve within one user's tags.

const nameTaken = () => conflictError('You already have a tag with this name');

/** The user's tags with these names; Postgres folds the case on both sides (JavaScript folds some letters differently, e.g. Σ). */
function tagsNamed(db: Db, userId: string, names: string[]) {
  return db
    .selectFrom('tags')
    .select('id')
    .where('user_id', '=', userId)
    .where(sql<boolean>`lower(name) = any(select lower(n) from unnest(${sql.val(names)}::text[]) as n)`);
}

/** Ids of the user's existing tags with these names (case-insensitive); unknown names are skipped. */
export async function findTagIds(db: Db, userId: string, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await tagsNamed(db, userId, names).execute();
  return rows.map((row) => row.id);
}

/**
 * Ids for these names, creating the tags the user does not have yet (first spelling wins) within
 * the tags quota, for a task being written. FOR KEY SHARE holds the tags until the caller's
 * transaction ends, so a concurrent tag.delete waits instead of leaving a deleted id on that task.
 * A tag that a concurrent change deleted (its last task let go of it) is created again.
 */
export async function ensureTagIds(db: Db, userId: string, names: string[], quotas: Quotas): Promise<string[]> {
  if (names.length === 0) return [];
  for (let attempt = 1; ; attempt++) {
    const existing = await tagsNamed(db, userId, names).forKeyShare().execute();
    if (existing.length === names.length || attempt > 3) return existing.map((row) => row.id);
    await holdQuotas(db, userId);
    const { count } = await db
      .selectFrom('tags')
      .select(sql<number>`count(*)::int`.as('count'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    if (count + names.length - existing.length > quotas.tags) throw quotaExceededError('tags', quotas.tags);
    await db
      .insertInto('tags')
      .values(names.map((name) => ({ user_id: userId, id: uuidv7(), name })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

const tagColumns = ['tags.id', 'tags.name', 'tags.task_count'] as const;
const toTag = (row: { id: string; name: string; task_count: number }): Tag => ({
  id: row.id,
  name: row.name,
  taskCount: row.task_count,
});

/**
 * The user's tags with the number of live tasks carrying each (kept by a trigger), sorted by name:
 * one walk of the (user_id, lower(name)) index, whatever the number of tasks.
 */
export async function listTags(db: Db, userId: string): Promise<Tag[]> {
  const rows = await db
    .selectFrom('tags')
    .select(tagColumns)
    .where('tags.user_id', '=', userId)
    .orderBy(sql`lower(tags.name)`)
    .execute();
  return rows.map(toTag);
}

/** Renames a tag; CONFLICT when the user already has another tag of that name, NOT_FOUND without the tag. */
export async function renameTag(db: Db, userId: string, id: string, name: string): Promise<Tag> {
  const clash = await db
    .selectFrom('tags')
    .select('id')
    .where('user_id', '=', userId)
    .where(sql<string>`lower(name)`, '=', sql<string>`lower(${name})`)
    .where('id', '<>', id)
    .executeTakeFirst();
  if (clash) throw nameTaken();
  const renamed = await db
    .updateTable('tags')
    .set({ name })
    .where('tags.user_id', '=', userId)
    .where('tags.id', '=', id)
    .returning(tagColumns)
    .executeTakeFirst();
  if (!renamed) throw notFoundError('Tag');
  return toTag(renamed);
}

/** Deletes a tag and takes it off every task of the user (one change, one version, for each); NOT_FOUND without it. */
export async function deleteTag(db: Db, userId: string, id: string): Promise<void> {
  // Lock the tag first: writers that resolved it hold FOR KEY SHARE, so this waits for them.
  const tag = await db
    .selectFrom('tags')
    .select('id')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!tag) throw notFoundError('Tag');
  await db
    .updateTable('tasks')
    .set((eb) => ({
      tag_ids: sql<string[]>`array_remove(tasks.tag_ids, ${id}::uuid)`,
      updated_at: transactionTime,
      version: eb('version', '+', 1),
    }))
    .where('user_id', '=', userId)
    .where(sql<boolean>`tag_ids @> array[${id}::uuid]`)
    .execute();
  await db.deleteFrom('tags').where('user_id', '=', userId).where('id', '=', id).execute();
}

/**
 * Maintenance across all users: tags no task carries, live or trashed. The counts trigger deletes
 * a tag when its last task lets go of it; this catches one created for a change that then wrote
 * no task (a retried create answered with the task it made before).
 */
export function purgeUnusedTags(db: Db, batchSize = 1_000): Promise<number> {
  return deleteInBatches(batchSize, async (limit) => {
    const result = await db
      .deleteFrom('tags')
      .where(
        sql<boolean>`(user_id, id) in (select user_id, id from tags
          where task_count = 0 and trashed_count = 0 and created_at < now() - interval '1 hour' limit ${limit})`,
      )
      .executeTakeFirst();
    return result.numDeletedRows;
  });
}
