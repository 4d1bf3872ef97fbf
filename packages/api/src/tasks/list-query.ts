import type { Database, Db } from '@taskwire/db';
import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { findTagIds } from '../tags/queries.js';
import { encodeCursor, type ListCursor } from './cursor.js';
import type { ListTasksInput, SortOrder, TaskFilters, TaskSort } from './list-schemas.js';
import type { Task } from './schemas.js';
import { searchQuery } from './search-query.js';
import { liveTasksOf, priorityRank, type TaskRowOut, taskColumns, toTask } from './task-row.js';
import { addDays, fromWallTime, toWallTime } from './zoned-time.js';

// Lists, counts and stats of live tasks. Every query starts from `where user_id = $1 and
// deleted_at is null`, which every partial index on tasks leads with.

export interface TaskPage {
  items: Task[];
  /** Pass back as `cursor` (with the same sort and order) for the next page; null on the last page. */
  nextCursor: string | null;
}

// biome-ignore lint/suspicious/noExplicitAny: the selection differs between list and count.
type TaskQuery = SelectQueryBuilder<Database, 'tasks', any>;

/** Tag names resolved to the user's tag ids; 'none' when the filter cannot match anything. */
type TagMatch = { mode: 'any' | 'all'; ids: string[] } | 'none' | undefined;

async function resolveTags(db: Db, userId: string, filters: TaskFilters): Promise<TagMatch> {
  if (!filters.tags) return undefined;
  const wanted = new Set(filters.tags.map((t) => t.toLowerCase()));
  const ids = await findTagIds(db, userId, [...wanted]);
  if (ids.length === 0 || (filters.tagMode === 'all' && ids.length < wanted.size)) return 'none';
  return { mode: filters.tagMode, ids };
}

function applyFilters(query: TaskQuery, userId: string, filters: TaskFilters, tags: TagMatch): TaskQuery {
  let q = query.where('tasks.user_id', '=', userId).where('tasks.deleted_at', 'is', null);
  if (filters.status !== 'all') q = q.where('tasks.completed', '=', filters.status === 'completed');
  if (filters.priority) q = q.where('tasks.priority', 'in', filters.priority.map(priorityRank));
  if (tags && tags !== 'none') {
    const ids = sql`${sql.val(tags.ids)}::uuid[]`;
    q = q.where(tags.mode === 'all' ? sql<boolean>`tasks.tag_ids @> ${ids}` : sql<boolean>`tasks.tag_ids && ${ids}`);
  }
  if (filters.dueFrom) q = q.where('tasks.due_at', '>=', new Date(filters.dueFrom));
  if (filters.dueTo) q = q.where('tasks.due_at', '<', new Date(filters.dueTo));
  if (filters.hasDueDate !== undefined) q = q.where('tasks.due_at', filters.hasDueDate ? 'is not' : 'is', null);
  if (filters.overdue === true) {
    q = q.where('tasks.completed', '=', false).where(sql<boolean>`tasks.due_at < now()`);
  } else if (filters.overdue === false) {
    q = q.where(sql<boolean>`(tasks.completed or tasks.due_at is null or tasks.due_at >= now())`);
  }
  if (filters.q) q = q.where(sql<boolean>`tasks.search @@ ${searchQuery(filters.q)}`);
  return q;
}

/** The expression each sort orders by; it matches an index expression exactly. */
function sortKey(sort: TaskSort, order: SortOrder): RawBuilder<unknown> {
  switch (sort) {
    case 'createdAt':
      return sql`tasks.created_at`;
    case 'updatedAt':
      return sql`tasks.updated_at`;
    case 'dueAt':
      // No due date sorts last both ways: +infinity going up, -infinity going down.
      return order === 'asc'
        ? sql`coalesce(tasks.due_at, 'infinity'::timestamptz)`
        : sql`coalesce(tasks.due_at, '-infinity'::timestamptz)`;
    case 'priority':
      return sql`tasks.priority`;
    case 'title':
      return sql`(lower(tasks.title) collate "C")`;
  }
}

/** The cursor's sort value as a typed SQL parameter comparable with sortKey. */
function cursorValue(cursor: ListCursor): RawBuilder<unknown> {
  switch (cursor.sort) {
    case 'dueAt':
      if (cursor.value === null) return sql`${cursor.order === 'asc' ? 'infinity' : '-infinity'}::timestamptz`;
      return sql`${cursor.value}::timestamptz`;
    case 'createdAt':
    case 'updatedAt':
      return sql`${cursor.value}::timestamptz`;
    case 'priority':
      return sql`${cursor.value}::smallint`;
    case 'title':
      return sql`(${cursor.value}::text collate "C")`;
  }
}

type ListRow = TaskRowOut & { title_key?: string };

function cursorAfter(row: ListRow, sort: TaskSort, order: SortOrder): string {
  const value: Record<TaskSort, string | number | null> = {
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    dueAt: row.due_at?.toISOString() ?? null,
    priority: row.priority,
    title: row.title_key ?? row.title.toLowerCase(),
  };
  return encodeCursor({ sort, order, value: value[sort], id: row.id });
}

/** One page of live tasks: filtered, sorted, and paged by keyset so pages never skip or repeat. */
export async function listTasks(db: Db, userId: string, input: ListTasksInput): Promise<TaskPage> {
  const tags = await resolveTags(db, userId, input);
  if (tags === 'none') return { items: [], nextCursor: null };
  const { sort, order, cursor, limit } = input;
  const key = sortKey(sort, order);
  let query = applyFilters(db.selectFrom('tasks').select(taskColumns), userId, input, tags);
  if (sort === 'title') query = query.select(sql<string>`lower(tasks.title)`.as('title_key'));
  if (cursor) {
    const direction = order === 'asc' ? sql`>` : sql`<`;
    query = query.where(sql<boolean>`(${key}, tasks.id) ${direction} (${cursorValue(cursor)}, ${cursor.id}::uuid)`);
  }
  const rows = (await query
    .orderBy(key, order)
    .orderBy('tasks.id', order)
    .limit(limit + 1)
    .execute()) as ListRow[];
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toTask),
    nextCursor: rows.length > limit && last ? cursorAfter(last, sort, order) : null,
  };
}

/** How many live tasks match the filters. */
export async function countTasks(db: Db, userId: string, filters: TaskFilters): Promise<number> {
  const tags = await resolveTags(db, userId, filters);
  if (tags === 'none') return 0;
  const row = await applyFilters(
    db.selectFrom('tasks').select(sql<number>`count(*)::int`.as('n')),
    userId,
    filters,
    tags,
  ).executeTakeFirstOrThrow();
  return row.n as number;
}

export interface TaskStats {
  open: number;
  completed: number;
  /** Open tasks due before now. */
  overdue: number;
  /** Open tasks due today in the user's time zone. */
  dueToday: number;
  trashed: number;
}

/** Counts for a dashboard, with "today" taken in the user's time zone. */
export async function taskStats(db: Db, userId: string, timeZone: string, now = new Date()): Promise<TaskStats> {
  const today = toWallTime(now, timeZone);
  const midnight = { ...today, hour: 0, minute: 0, second: 0, millisecond: 0 };
  const start = fromWallTime(midnight, timeZone);
  const end = fromWallTime({ ...midnight, ...addDays(today, 1) }, timeZone);
  const row = await db
    .selectFrom('tasks')
    .select([
      sql<number>`count(*) filter (where deleted_at is null and not completed)::int`.as('open'),
      sql<number>`count(*) filter (where deleted_at is null and completed)::int`.as('completed'),
      sql<number>`count(*) filter (where deleted_at is null and not completed and due_at < now())::int`.as('overdue'),
      sql<number>`count(*) filter (where deleted_at is null and not completed
        and due_at >= ${start.toISOString()}::timestamptz and due_at < ${end.toISOString()}::timestamptz)::int`.as(
        'dueToday',
      ),
      sql<number>`count(*) filter (where deleted_at is not null)::int`.as('trashed'),
    ])
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return row;
}

/** Open live tasks whose reminder time has come by `before`, soonest first. */
export async function dueReminders(db: Db, userId: string, before: string, limit: number): Promise<Task[]> {
  const rows = await liveTasksOf(db, userId)
    .where('tasks.completed', '=', false)
    .where('tasks.remind_at', 'is not', null)
    .where('tasks.remind_at', '<=', new Date(before))
    .orderBy('tasks.remind_at')
    .orderBy('tasks.id')
    .limit(limit)
    .execute();
  return rows.map(toTask);
}
