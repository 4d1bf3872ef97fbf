import { type Db, type TaskRow, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import { encodeCursor } from './cursor.js';
import type { CreateTaskInput, ListTasksInput, Task, TaskPage, UpdateTaskInput } from './schemas.js';

// Every function takes the owner's id and filters on it: no query here can reach another user's rows.

const taskColumns = [
  'id',
  'title',
  'description',
  'completed',
  'completed_at',
  'created_at',
  'updated_at',
  'version',
] as const;

type TaskColumns = Pick<TaskRow, (typeof taskColumns)[number]>;

function toTask(row: TaskColumns): Task {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    completed: row.completed,
    completedAt: row.completed_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

export async function insertTask(db: Db, userId: string, input: CreateTaskInput): Promise<Task> {
  const row = await db
    .insertInto('tasks')
    .values({ id: uuidv7(), user_id: userId, title: input.title, description: input.description ?? null })
    .returning(taskColumns)
    .executeTakeFirstOrThrow();
  return toTask(row);
}

export async function findTask(db: Db, userId: string, id: string): Promise<Task | undefined> {
  const row = await db
    .selectFrom('tasks')
    .select(taskColumns)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toTask(row);
}

/** Newest first, by keyset on (created_at, id): stable while rows are added, and as fast on page 1000 as on page 1. */
export async function listTasks(db: Db, userId: string, input: ListTasksInput): Promise<TaskPage> {
  const { limit, cursor, status } = input;
  let query = db.selectFrom('tasks').select(taskColumns).where('user_id', '=', userId);
  if (status !== 'all') query = query.where('completed', '=', status === 'completed');
  if (cursor) {
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(cursor.createdAt, cursor.id)));
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toTask),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

/** Applies the given fields; completed_at follows completed. Undefined when the task is not the user's. */
export async function updateTask(db: Db, userId: string, input: UpdateTaskInput): Promise<Task | undefined> {
  const row = await db
    .updateTable('tasks')
    .set((eb) => ({
      ...(input.title !== undefined && { title: input.title }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.completed !== undefined && {
        completed: input.completed,
        // Keep the original completion time when an already completed task is marked completed again.
        completed_at: input.completed ? eb.fn.coalesce('completed_at', sql<Date>`now()`) : null,
      }),
      updated_at: sql<Date>`now()`,
      version: eb('version', '+', 1),
    }))
    .where('user_id', '=', userId)
    .where('id', '=', input.id)
    .returning(taskColumns)
    .executeTakeFirst();
  return row && toTask(row);
}

/** Flips completed and sets or clears completed_at in one statement (the right-hand sides see the old row). */
export async function toggleTask(db: Db, userId: string, id: string): Promise<Task | undefined> {
  const row = await db
    .updateTable('tasks')
    .set((eb) => ({
      completed: eb.not('completed'),
      completed_at: sql<Date | null>`case when completed then null else now() end`,
      updated_at: sql<Date>`now()`,
      version: eb('version', '+', 1),
    }))
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .returning(taskColumns)
    .executeTakeFirst();
  return row && toTask(row);
}

/** Deletes the task; false when it is not the user's. */
export async function deleteTask(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('tasks').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
