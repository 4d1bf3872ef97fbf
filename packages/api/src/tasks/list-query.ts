import { createQueryShapes, type Db, type QueryShapes } from '@taskwire/db';
import { type Expression, type RawBuilder, sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { ensureReadable, readableProjects } from '../access/scope.js';
import { notFoundError } from '../errors.js';
import { encodeCursor, type ListCursor } from './cursor.js';
import type { ListTasksInput, TaskFilters, TaskPage } from './list-schemas.js';
import type { SortOrder, TaskSort } from './sorts.js';
import { applyFilters, type Clock, isSelective, type TaskQuery } from './task-filters.js';
import { type TaskRowOut, taskColumns, toTask } from './task-row.js';

// One page of the caller's tasks, across their projects. Each project is walked through its own
// index (every tasks index leads with project_id) for at most a page after the cursor, and the
// projects' pages are merged: `from the caller's memberships, lateral (one project's page)`. So
// a list stays one index-backed statement whether the caller has one project or five hundred,
// and membership is checked in the statement itself.

/**
 * The expression each sort orders by; it matches an index expression exactly, so the first page
 * is an index walk that stops after `limit` rows.
 */
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

/** The same ordering through an expression no index matches (adding zero of the key's type). */
function unindexed(sort: TaskSort, key: RawBuilder<unknown>): RawBuilder<unknown> {
  if (sort === 'priority') return sql`(${key} + 0)`;
  if (sort === 'title') return sql`(${key} || '')`;
  return sql`(${key} + interval '0 seconds')`;
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

/** Rows walked in sort order before a search or tag filter falls back to its GIN index. */
const PROBE_WINDOW = 2_000;

type Strategy = 'walk' | 'probe' | 'gin';

/** The list's compiled queries, by shape (see query-shapes.ts in the db package). */
const listShapes = createQueryShapes();

/** What decides a list query's text: kept as it is, and part of its template's key. */
interface ListShape {
  strategy: Strategy;
  sort: TaskSort;
  order: SortOrder;
  status: TaskFilters['status'];
  tagMode: TaskFilters['tagMode'];
  priority: TaskFilters['priority'];
  assigneeMe: boolean;
  /** One project given by id (a parameter), or every readable project (a lateral join). */
  across: boolean;
}

/** What only fills a list query's parameters (and may be absent or null). */
interface ListValues {
  userId: string;
  projectIds: readonly string[] | null;
  projectId: string | undefined;
  /** The single project's id, when not across. */
  scopeId: string | undefined;
  cursor: { value: string | number | null; id: string } | undefined;
  assignee: string | undefined;
  dueFrom: Date | undefined;
  dueTo: Date | undefined;
  overdue: boolean | undefined;
  hasDueDate: boolean | undefined;
  q: string | undefined;
  tags: string[] | undefined;
  /** The page's limit + 1 (one more row tells whether a next page exists). */
  rows: number;
  probeWindow: number;
  now: Date;
}

/** The list query for a shape, from its values: its builder only puts values into parameters. */
function buildList(db: Db, shape: ListShape, values: ListValues) {
  // The list builders read only these two of a caller (readableProjects and the assignee "me").
  const caller = { userId: values.userId, projectIds: values.projectIds } as Caller;
  const input: PageInput = {
    sort: shape.sort,
    order: shape.order,
    status: shape.status,
    tagMode: shape.tagMode,
    priority: shape.priority,
    assignee: shape.assigneeMe ? 'me' : values.assignee,
    dueFrom: values.dueFrom,
    dueTo: values.dueTo,
    overdue: values.overdue,
    hasDueDate: values.hasDueDate,
    q: values.q,
    tags: values.tags,
    projectId: values.projectId,
    cursor: values.cursor && { sort: shape.sort, order: shape.order, ...values.cursor },
    rows: values.rows,
  };
  return shape.across
    ? selectAcross(db, caller, input, shape.strategy, values.probeWindow, values.now)
    : selectPage(
        db,
        sql<string>`${values.scopeId}::uuid`,
        caller,
        input,
        shape.strategy,
        values.probeWindow,
        values.now,
      );
}

/**
 * One page of live tasks: filtered, sorted, and paged by keyset so pages never skip or repeat.
 *
 * A search term or tag filter can match most of a project's tasks or almost none, and the planner
 * cannot tell which. So in one project such a list first walks the next PROBE_WINDOW tasks in sort
 * order (an index walk that stops early) and filters them: when that yields a full page, it is
 * the right page. Otherwise the matches are sparse, and the GIN indexes find them all and a top-N
 * sort orders them. Across several projects a probe that falls short in one project cannot tell
 * whether that project's later matches belong on the page, so there each project uses its GIN
 * indexes.
 */
export async function listTasks(
  db: Db,
  caller: Caller,
  input: ListTasksInput,
  { now, probeWindow = PROBE_WINDOW, shapes = listShapes }: Clock & { probeWindow?: number; shapes?: QueryShapes },
): Promise<TaskPage> {
  const shapeOf = (strategy: Strategy, across: boolean): ListShape => ({
    strategy,
    sort: input.sort,
    order: input.order,
    status: input.status,
    tagMode: input.tagMode,
    priority: input.priority,
    assigneeMe: input.assignee === 'me',
    across,
  });
  const values = (scopeId?: string): ListValues => ({
    userId: caller.userId,
    projectIds: caller.projectIds,
    projectId: input.projectId,
    scopeId,
    cursor: input.cursor && { value: input.cursor.value, id: input.cursor.id },
    assignee: input.assignee === 'me' ? undefined : input.assignee,
    dueFrom: input.dueFrom === undefined ? undefined : new Date(input.dueFrom),
    dueTo: input.dueTo === undefined ? undefined : new Date(input.dueTo),
    overdue: input.overdue,
    hasDueDate: input.hasDueDate,
    q: input.q,
    tags: input.tags,
    rows: input.limit + 1,
    probeWindow,
    now,
  });
  const run = (strategy: Strategy, scopeId?: string) =>
    shapes.execute(db, 'task.list', shapeOf(strategy, scopeId === undefined), values(scopeId), buildList) as Promise<
      ListRow[]
    >;

  let rows: ListRow[];
  if (!isSelective(input)) {
    rows = await run('walk');
    if (rows.length === 0 && input.projectId) await ensureReadable(db, caller, input.projectId);
  } else {
    const projects = await readableProjects(db, caller, input.projectId).execute();
    const [only] = projects;
    if (projects.length === 0 && input.projectId) throw notFoundError('Project');
    if (projects.length === 1 && only) {
      rows = await run('probe', only.project_id);
      if (rows.length <= input.limit) rows = await run('gin', only.project_id);
    } else {
      rows = await run('gin');
    }
  }
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toTask),
    nextCursor: rows.length > input.limit && last ? cursorAfter(last, input.sort, input.order) : null,
  };
}

/** A list's filters, sort and cursor, and how many rows to fetch (the page's limit + 1). */
type PageInput = Omit<ListTasksInput, 'limit' | 'direction' | 'dueFrom' | 'dueTo'> & {
  dueFrom: Date | undefined;
  dueTo: Date | undefined;
  rows: number;
};

/** The filters as applyFilters reads them (its due bounds may already be instants). */
const filtersOf = (input: PageInput) => input as unknown as TaskFilters;

/** Each of the caller's projects' page after the cursor, merged into one page. */
function selectAcross(db: Db, caller: Caller, input: PageInput, strategy: Strategy, probeWindow: number, now: Date) {
  const member = sql.ref<string>('member.project_id');
  const perProject = selectPage(db, member, caller, input, strategy, probeWindow, now).select(
    sortKey(input.sort, input.order).as('sort_key'),
  );
  const key = input.sort === 'title' ? sql`(page.sort_key collate "C")` : sql`page.sort_key`;
  return db
    .selectFrom(readableProjects(db, caller, input.projectId).as('member'))
    .innerJoinLateral(perProject.as('page'), (join) => join.onTrue())
    .selectAll('page')
    .orderBy(key, input.order)
    .orderBy('page.id', input.order)
    .limit(input.rows);
}

/**
 * One project's first `rows` matching rows after the cursor. 'walk' and 'probe' follow the sort
 * index ('probe' only through its next probeWindow rows); 'gin' orders by an expression no index
 * matches, so the planner must find matches through the search and tag indexes.
 */
function selectPage(
  db: Db,
  scope: Expression<string>,
  caller: Caller,
  input: PageInput,
  strategy: Strategy,
  probeWindow: number,
  now: Date,
): TaskQuery {
  const { sort, order, cursor, rows } = input;
  const indexed = sortKey(sort, order);
  const key = strategy === 'gin' ? unindexed(sort, indexed) : indexed;
  const direction = order === 'asc' ? sql`>` : sql`<`;
  const after = (k: RawBuilder<unknown>) =>
    sql<boolean>`(${k}, tasks.id) ${direction} (${cursor ? cursorValue(cursor) : sql`null`}, ${cursor?.id ?? null}::uuid)`;

  const source =
    strategy === 'probe'
      ? db
          .selectFrom(
            db
              .selectFrom('tasks')
              .selectAll()
              .where(sql<boolean>`tasks.project_id = ${scope}`)
              .where('tasks.deleted_at', 'is', null)
              .$if(cursor !== undefined, (qb) => qb.where(after(indexed)))
              .orderBy(indexed, order)
              .orderBy('tasks.id', order)
              .limit(probeWindow)
              .as('tasks'),
          )
          .select(taskColumns)
      : db.selectFrom('tasks').select(taskColumns);
  let query = applyFilters(source as TaskQuery, scope, filtersOf(input), caller, { now });
  if (sort === 'title') query = query.select(sql<string>`lower(tasks.title)`.as('title_key'));
  if (cursor && strategy !== 'probe') query = query.where(after(key));
  return query.orderBy(key, order).orderBy('tasks.id', order).limit(rows);
}
