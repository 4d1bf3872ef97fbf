import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { Project } from '@taskwire/client';
import { useEffect, useId, useState } from 'react';
import { useTRPC, useTRPCClient } from './api';
import { describeError } from './errors';
import { NewTaskField, usePendingTasks } from './new-task-field';
import { ProjectHead } from './project-head';
import { canEditTasks } from './projects';
import { TaskItem } from './task-item';
import { type ListState, listInput, PRIORITIES, SORTS, STATUSES } from './url-state';
import type { UpdateState } from './use-url-state';

const SORT_LABELS: Record<(typeof SORTS)[number], string> = {
  createdAt: 'Newest',
  updatedAt: 'Recently changed',
  dueAt: 'Due soonest',
  priority: 'Priority',
  title: 'Title',
};

/** A project's tasks: its head (name, Share), a field for new tasks (editors), the filters, the list. */
export function TasksView({
  state,
  update,
  project,
  me,
}: {
  state: ListState;
  update: UpdateState;
  project: Project;
  me: string;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [search, setSearch] = useState(state.q);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const filtersId = useId();
  const activeFilters = [state.status !== 'all', state.priority, state.tag, state.overdue, state.assigned].filter(
    Boolean,
  ).length;
  const input = listInput(state, project.id);
  const canEdit = canEditTasks(project);
  const tasks = useInfiniteQuery({
    // Pages by hand: tRPC's infinite options add a `direction` the API's strict input refuses.
    queryKey: [...trpc.task.list.queryKey(input), 'pages'],
    queryFn: ({ pageParam, signal }) => client.task.list.query({ ...input, cursor: pageParam }, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const tags = useQuery(trpc.tag.list.queryOptions());
  const projectTags = tags.data?.filter((tag) => tag.projectId === project.id) ?? [];
  const tagNames = projectTags.map((tag) => tag.name);
  const members = useQuery(trpc.project.members.queryOptions({ projectId: project.id }));
  const pending = usePendingTasks(project.id);

  // Typing searches after a pause, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (search !== state.q) update({ q: search });
    }, 250);
    return () => clearTimeout(timer);
  }, [search, state.q, update]);

  const items = tasks.data?.pages.flatMap((page) => page.items) ?? [];
  const listed = new Set(items.map((task) => task.id));
  // Newest first, above the list, until the list itself has them.
  const adding = pending.filter((task) => !listed.has(task.id)).reverse();
  return (
    <section className="tasks" aria-labelledby="tasks-heading">
      <ProjectHead project={project} me={me} headingId="tasks-heading" />
      {canEdit ? (
        <NewTaskField project={project} />
      ) : (
        <p className="meta read-only">You can read this project; its editors and owner change its tasks.</p>
      )}
      <div className="filters-bar">
        <label className="search">
          <span className="filter-label">Search</span>
          <input
            type="search"
            data-shortcut="search"
            placeholder="Search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        </label>
        {/* Shown on narrow screens only, where the filters fold away behind it. */}
        <button
          type="button"
          className="secondary filters-toggle"
          aria-expanded={filtersOpen}
          aria-controls={filtersId}
          onClick={() => setFiltersOpen(!filtersOpen)}
        >
          Filters{activeFilters > 0 ? ` (${activeFilters})` : ''}
        </button>
      </div>
      <div className={`filters${filtersOpen ? ' open' : ''}`} id={filtersId}>
        <label>
          Status
          <select
            value={state.status}
            onChange={(event) => update({ status: event.target.value as ListState['status'] })}
          >
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {status === 'all' ? 'All' : status === 'open' ? 'Open' : 'Completed'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select
            value={state.priority ?? ''}
            onChange={(event) => update({ priority: (event.target.value || null) as ListState['priority'] })}
          >
            <option value="">Any</option>
            {PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {priority}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag
          <select value={state.tag ?? ''} onChange={(event) => update({ tag: event.target.value || null })}>
            <option value="">Any</option>
            {projectTags.map((tag) => (
              <option key={tag.id} value={tag.name}>
                {tag.name} ({tag.taskCount})
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={state.overdue}
            onChange={(event) => update({ overdue: event.target.checked })}
          />
          Overdue
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={state.assigned}
            onChange={(event) => update({ assigned: event.target.checked })}
          />
          Assigned to me
        </label>
        <label>
          Sort
          <select value={state.sort} onChange={(event) => update({ sort: event.target.value as ListState['sort'] })}>
            {SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {SORT_LABELS[sort]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {tasks.error && (
        <p className="error" role="alert">
          {describeError(tasks.error)}
        </p>
      )}
      <ul className="task-list" aria-label="Tasks" aria-busy={tasks.isFetching}>
        {adding.map((task) => (
          <li key={task.id} className="task pending">
            {/* Not a checkbox yet: there is nothing to tick until the server has it. */}
            <span className="pending-box" aria-hidden="true" />
            <div className="task-body">
              <span className="title">{task.title}</span>
              <span className="meta">saving…</span>
            </div>
          </li>
        ))}
        {items.map((task) => (
          <TaskItem key={task.id} task={task} tags={tagNames} members={members.data ?? []} me={me} canEdit={canEdit} />
        ))}
      </ul>
      {tasks.isSuccess && items.length === 0 && adding.length === 0 && <p className="empty">Nothing here yet.</p>}
      {tasks.hasNextPage && (
        <button
          type="button"
          className="secondary"
          onClick={() => void tasks.fetchNextPage()}
          disabled={tasks.isFetchingNextPage}
        >
          Load more
        </button>
      )}
    </section>
  );
}
