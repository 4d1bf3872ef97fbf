import type { Db, RecurrenceRule } from '@taskwire/db';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { ownedProjects } from '../access/scope.js';
import { invalidInputError } from '../errors.js';
import { PRIORITIES } from '../tasks/schemas.js';
import { tagNames } from '../tasks/task-row.js';
import { EXPORT_PAGE_MAX, EXPORT_VERSION, type ExportedTask, type ExportPage } from './schemas.js';

// account.export: the projects the caller owns, their tags, and their tasks (the trash included),
// a page at a time in primary-key order, so no export ever holds every task in memory.

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The cursor: the last task's (project, id), base64url of JSON. */
const encodeCursor = (projectId: string, id: string) =>
  Buffer.from(JSON.stringify([projectId, id])).toString('base64url');
function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      value.every((part) => typeof part === 'string' && uuid.test(part))
    )
      return value as [string, string];
  } catch {
    // Falls through to the refusal.
  }
  throw invalidInputError('cursor', 'Not a cursor this export gave');
}

/** One page of the caller's export. */
export async function exportPage(
  db: Db,
  caller: Caller,
  input: { cursor?: string | undefined; limit?: number | undefined } | undefined,
  now: Date,
): Promise<ExportPage> {
  const limit = input?.limit ?? EXPORT_PAGE_MAX;
  const after = input?.cursor ? decodeCursor(input.cursor) : null;
  const user = await db
    .selectFrom('users')
    .select('timezone')
    .where('id', '=', caller.userId)
    .executeTakeFirstOrThrow();
  const first = after === null;
  const projects = first
    ? await db
        .selectFrom('projects')
        .select(['id', 'name', 'color', 'inbox', 'created_at'])
        .where('id', 'in', ownedProjects(db, caller))
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    : [];
  const tags = first
    ? await db
        .selectFrom('tags')
        .select(['project_id', 'name'])
        .where('project_id', 'in', ownedProjects(db, caller))
        .orderBy('project_id')
        .orderBy(sql`lower(name)`)
        .execute()
    : [];
  const rows = await db
    .selectFrom('tasks')
    .select([
      'tasks.id',
      'tasks.project_id',
      'tasks.title',
      'tasks.description',
      'tasks.completed',
      'tasks.completed_at',
      'tasks.priority',
      'tasks.due_at',
      'tasks.remind_at',
      'tasks.recurrence',
      'tasks.deleted_at',
      'tasks.created_at',
      'tasks.updated_at',
      tagNames,
    ])
    .where('tasks.project_id', 'in', ownedProjects(db, caller))
    .$if(after !== null, (qb) =>
      qb.where(sql<boolean>`(tasks.project_id, tasks.id) > (${after?.[0]}::uuid, ${after?.[1]}::uuid)`),
    )
    .orderBy('tasks.project_id')
    .orderBy('tasks.id')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    timezone: user.timezone,
    projects: projects.map((row) => ({
      id: row.id,
      name: row.name,
      color: row.color,
      inbox: row.inbox,
      createdAt: row.created_at.toISOString(),
    })),
    tags: tags.map((row) => ({ projectId: row.project_id, name: row.name })),
    tasks: page.map(
      (row): ExportedTask => ({
        id: row.id,
        projectId: row.project_id,
        title: row.title,
        description: row.description,
        completed: row.completed,
        completedAt: iso(row.completed_at),
        priority: PRIORITIES[row.priority] ?? 'none',
        tags: row.tags,
        dueAt: iso(row.due_at),
        remindAt: iso(row.remind_at),
        recurrence: row.recurrence as (RecurrenceRule & ExportedTask['recurrence']) | null,
        deletedAt: iso(row.deleted_at),
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      }),
    ),
    nextCursor: rows.length > limit && last ? encodeCursor(last.project_id, last.id) : null,
  };
}
