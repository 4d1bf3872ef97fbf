// What the task list shows, kept in the URL so a view can be shared and survives a reload.

export const STATUSES = ['all', 'open', 'completed'] as const;
export const PRIORITIES = ['none', 'low', 'medium', 'high'] as const;
export const SORTS = ['createdAt', 'updatedAt', 'dueAt', 'priority', 'title'] as const;
export const VIEWS = ['tasks', 'today', 'upcoming', 'trash', 'account'] as const;

export type Status = (typeof STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type Sort = (typeof SORTS)[number];
export type View = (typeof VIEWS)[number];

export interface ListState {
  view: View;
  /** The project whose tasks show; null is the Inbox. */
  project: string | null;
  q: string;
  status: Status;
  priority: Priority | null;
  tag: string | null;
  overdue: boolean;
  /** Only tasks assigned to the signed-in user. */
  assigned: boolean;
  sort: Sort;
}

export const DEFAULT_STATE: ListState = {
  view: 'tasks',
  project: null,
  q: '',
  status: 'all',
  priority: null,
  tag: null,
  overdue: false,
  assigned: false,
  sort: 'createdAt',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const oneOf = <T extends string>(values: readonly T[], value: string | null, fallback: T): T =>
  values.includes(value as T) ? (value as T) : fallback;

/** The state a query string asks for; anything unknown falls back to the default. */
export function readState(search: string): ListState {
  const params = new URLSearchParams(search);
  const priority = params.get('priority');
  const tag = params.get('tag')?.trim();
  const project = params.get('project');
  return {
    view: oneOf(VIEWS, params.get('view'), DEFAULT_STATE.view),
    project: project && UUID.test(project) ? project.toLowerCase() : null,
    q: (params.get('q') ?? '').slice(0, 200),
    status: oneOf(STATUSES, params.get('status'), DEFAULT_STATE.status),
    priority: PRIORITIES.includes(priority as Priority) ? (priority as Priority) : null,
    tag: tag ? tag.slice(0, 50) : null,
    overdue: params.get('overdue') === '1',
    assigned: params.get('assigned') === 'me',
    sort: oneOf(SORTS, params.get('sort'), DEFAULT_STATE.sort),
  };
}

/** The query string of a state: only what differs from the default, in a stable order. */
export function writeState(state: ListState): string {
  const params = new URLSearchParams();
  if (state.view !== DEFAULT_STATE.view) params.set('view', state.view);
  if (state.project) params.set('project', state.project);
  if (state.q.trim()) params.set('q', state.q);
  if (state.status !== DEFAULT_STATE.status) params.set('status', state.status);
  if (state.priority) params.set('priority', state.priority);
  if (state.tag) params.set('tag', state.tag);
  if (state.overdue) params.set('overdue', '1');
  if (state.assigned) params.set('assigned', 'me');
  if (state.sort !== DEFAULT_STATE.sort) params.set('sort', state.sort);
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** task.list's input for a state in a project (the cursor is added per page). */
export function listInput(state: ListState, projectId?: string) {
  return {
    ...(projectId && { projectId }),
    status: state.status,
    sort: state.sort,
    limit: 20,
    ...(state.q.trim() && { q: state.q.trim() }),
    ...(state.priority && { priority: [state.priority] }),
    ...(state.tag && { tags: [state.tag] }),
    ...(state.overdue && { overdue: true }),
    ...(state.assigned && { assignee: 'me' as const }),
  };
}
