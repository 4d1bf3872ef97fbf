import { type Db, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import { transactionTime } from '../database-time.js';
import { conflictError, notFoundError } from '../errors.js';
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
 * Ids for these names, creating the tags the user does not have yet (first spelling wins), for a
 * task being written. FOR KEY SHARE holds the tags until the caller's transaction ends, so a
 * concurrent tag.delete waits instead of leaving a deleted id on that task.
 */
export async function ensureTagIds(db: Db, userId: string, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  await db
    .insertInto('tags')
    .values(names.map((name) => ({ user_id: userId, id: uuidv7(), name })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  const rows = await tagsNamed(db, userId, names).forKeyShare().execute();
  return rows.map((row) => row.id);
}

/** The user's tags with the number of live tasks carrying each, sorted by name. */
export async function listTags(db: Db, userId: string): Promise<Tag[]> {
  const rows = await db
    .selectFrom('tags')
    .select((eb) => [
      'tags.id',
      'tags.name',
      eb
        .selectFrom('tasks')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('tasks.user_id', '=', userId)
        .where('tasks.deleted_at', 'is', null)
        .where(sql<boolean>`tasks.tag_ids @> array[tags.id]`)
        .as('taskCount'),
    ])
    .where('tags.user_id', '=', userId)
    .orderBy(sql`lower(tags.name)`)
    .execute();
  return rows.map((row) => ({ id: row.id, name: row.name, taskCount: row.taskCount ?? 0 }));
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
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  if (!renamed) throw notFoundError('Tag');
  const tag = (await listTags(db, userId)).find((t) => t.id === id);
  if (!tag) throw notFoundError('Tag');
  return tag;
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
