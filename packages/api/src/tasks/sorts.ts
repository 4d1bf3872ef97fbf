// The orders a task list can take; the list's input schema and its cursor both speak of them.

export const SORTS = ['createdAt', 'updatedAt', 'dueAt', 'priority', 'title'] as const;
export type TaskSort = (typeof SORTS)[number];
export type SortOrder = 'asc' | 'desc';

/** What each sort means without an explicit order: newest, soonest due, most important, A→Z. */
export const DEFAULT_ORDER: Record<TaskSort, SortOrder> = {
  createdAt: 'desc',
  updatedAt: 'desc',
  dueAt: 'asc',
  priority: 'desc',
  title: 'asc',
};
