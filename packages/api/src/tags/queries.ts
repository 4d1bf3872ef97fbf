import { type Db, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { readableProjects, requireRole } from '../access/scope.js';
import { transactionTime } from '../database-time.js';
import { deleteInBatches } from '../delete-in-batches.js';
import { conflictError, notFoundError } from '../errors.js';
import { holdQuotas, type Quotas, quotaExceededError } from '../quotas.js';
import type { Tag } from './schemas.js';

// Tags belong to a project: names and ids resolve within one project's tags, and only a member
// who may write the project's tasks renames or deletes them.

const nameTaken = () => conflictError('This project already has a tag with this name');

/** Postgres folds the case on both sides (JavaScript folds some letters differently, e.g. Σ). */
const namedAs = (names: string[]) =>
  sql<boolean>`lower(tags.name) = any(select lower(n) from unnest(${sql.val(names)}::text[]) as n)`;

/** The project's tags with these names. */
function tagsNamed(db: Db, projectId: string, names: string[]) {
  return db.selectFrom('tags').select('tags.id').where('tags.project_id', '=', projectId).where(namedAs(names));
}

/** Ids of the project's existing tags with these names (case-insensitive); unknown names are skipped. */
export async function findTagIds(db: Db, projectId: string, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await tagsNamed(db, projectId, names).execute();
  return rows.map((row) => row.id);
}

/**
 * Ids for these names in the project, creating the tags it does not have yet (first spelling
 * wins) within the tags quota, for a task being written. FOR KEY SHARE holds the tags until the
 * caller's transaction ends, so a concurrent tag.delete waits instead of leaving a deleted id on
 * that task. A tag that a concurrent change deleted (its last task let go of it) is created again.
 */
export async function ensureTagIds(db: Db, projectId: string, names: string[], quotas: Quotas): Promise<string[]> {
  if (names.length === 0) return [];
  for (let attempt = 1; ; attempt++) {
    const existing = await tagsNamed(db, projectId, names).forKeyShare().execute();
    if (existing.length === names.length || attempt > 3) return existing.map((row) => row.id);
    const project = await db.selectFrom('projects').select('owner_id').where('id', '=', projectId).executeTakeFirst();
    if (project) await holdQuotas(db, project.owner_id);
    const { count } = await db
      .selectFrom('tags')
      .select(sql<number>`count(*)::int`.as('count'))
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    if (count + names.length - existing.length > quotas.tags) throw quotaExceededError('tags', quotas.tags);
    await db
      .insertInto('tags')
      .values(names.map((name) => ({ project_id: projectId, id: uuidv7(), name })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

const tagColumns = ['tags.id', 'tags.name', 'tags.project_id', 'tags.task_count'] as const;
const toTag = (row: { id: string; name: string; project_id: string; task_count: number }): Tag => ({
  id: row.id,
  name: row.name,
  projectId: row.project_id,
  taskCount: row.task_count,
});

/**
 * The tags of the caller's projects with the number of live tasks carrying each (kept by a
 * trigger), sorted by name: one walk of the (project_id, lower(name)) index per project.
 */
export async function listTags(db: Db, caller: Caller): Promise<Tag[]> {
  const rows = await db
    .selectFrom('tags')
    .select(tagColumns)
    .where('tags.project_id', 'in', readableProjects(db, caller))
    .orderBy(sql`lower(tags.name)`)
    .orderBy('tags.project_id')
    .execute();
  return rows.map(toTag);
}

/** A tag of the caller's projects, locked, with the caller's right to change it (editor). */
async function lockTag(db: Db, caller: Caller, id: string) {
  const tag = await db
    .selectFrom('tags')
    .select(['id', 'project_id'])
    .where('id', '=', id)
    .where('project_id', 'in', readableProjects(db, caller))
    .forUpdate()
    .executeTakeFirst();
  if (!tag) throw notFoundError('Tag');
  await requireRole(db, caller, tag.project_id, 'editor');
  return tag;
}

/** Renames a tag; CONFLICT when its project has another tag of that name, NOT_FOUND without the tag. */
export async function renameTag(db: Db, caller: Caller, id: string, name: string): Promise<Tag> {
  const tag = await lockTag(db, caller, id);
  const clash = await db
    .selectFrom('tags')
    .select('id')
    .where('project_id', '=', tag.project_id)
    .where(sql<string>`lower(name)`, '=', sql<string>`lower(${name})`)
    .where('id', '<>', id)
    .executeTakeFirst();
  if (clash) throw nameTaken();
  const renamed = await db
    .updateTable('tags')
    .set({ name })
    .where('tags.project_id', '=', tag.project_id)
    .where('tags.id', '=', id)
    .returning(tagColumns)
    .executeTakeFirstOrThrow();
  return toTag(renamed);
}

/** Deletes a tag and takes it off every task of its project (one change, one version, for each). */
export async function deleteTag(db: Db, caller: Caller, id: string): Promise<void> {
  // Locked first: writers that resolved it hold FOR KEY SHARE, so this waits for them.
  const tag = await lockTag(db, caller, id);
  await db
    .updateTable('tasks')
    .set((eb) => ({
      tag_ids: sql<string[]>`array_remove(tasks.tag_ids, ${id}::uuid)`,
      updated_at: transactionTime,
      version: eb('version', '+', 1),
    }))
    .where('project_id', '=', tag.project_id)
    .where(sql<boolean>`tag_ids @> array[${id}::uuid]`)
    .execute();
  await db.deleteFrom('tags').where('project_id', '=', tag.project_id).where('id', '=', id).execute();
}

/**
 * Maintenance across all projects: tags no task carries, live or trashed. The counts trigger
 * deletes a tag when its last task lets go of it; this catches one created for a change that then
 * wrote no task (a retried create answered with the task it made before).
 */
export function purgeUnusedTags(db: Db, batchSize = 1_000): Promise<number> {
  return deleteInBatches(batchSize, async (limit) => {
    const result = await db
      .deleteFrom('tags')
      .where(
        sql<boolean>`(project_id, id) in (select project_id, id from tags
          where task_count = 0 and trashed_count = 0 and created_at < now() - interval '1 hour' limit ${limit})`,
      )
      .executeTakeFirst();
    return result.numDeletedRows;
  });
}
