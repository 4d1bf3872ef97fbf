import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useState } from 'react';
import { useTRPC, useTRPCClient } from './api';
import { describeError } from './errors';
import { useNotices } from './notices';
import { TaskItem } from './task-item';
import { type ListState, listInput, PRIORITIES, SORTS, STATUSES } from './url-state';

const SORT_LABELS: Record<(typeof SORTS)[number], string> = {
  createdAt: 'Newest',
  updatedAt: 'Recently changed',
  dueAt: 'Due soonest',
  priority: 'Priority',
  title: 'Title',
};

export function TasksView({ state, update }: { state: ListState; update: (change: Partial<ListState>) => void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState(state.q);
  const input = listInput(state);
  const tasks = useInfiniteQuery({
    // Pages by hand: tRPC's infinite options add a `direction` the API's strict input refuses.
    queryKey: [...trpc.task.list.queryKey(input), 'pages'],
    queryFn: ({ pageParam, signal }) => client.task.list.query({ ...input, cursor: pageParam }, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const tags = useQuery(trpc.tag.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.task.pathKey() });
  const create = useMutation(
    trpc.task.create.mutationOptions({
      onSuccess: () => {
        setDraft('');
        void refresh();
      },
      onError: (error) => show({ text: describeError(error), tone: 'error' }),
    }),
  );

  // Typing searches after a pause, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (search !== state.q) update({ q: search });
    }, 250);
    return () => clearTimeout(timer);
  }, [search, state.q, update]);

  const onNewTaskKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter' || !draft.trim() || create.isPending) return;
    event.preventDefault();
    create.mutate({ title: draft.trim() });
  };

  const items = tasks.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="tasks" aria-labelledby="tasks-heading">
      <h2 id="tasks-heading" className="visually-hidden">
        Your tasks
      </h2>
      <label className="new-task">
        <span className="visually-hidden">New task</span>
        <input
          type="text"
          aria-label="New task"
          placeholder="Add a task and press Enter"
          maxLength={200}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onNewTaskKey}
        />
      </label>
      <div className="filters">
        <label>
          Search
          <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </label>
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
            {tags.data?.map((tag) => (
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
        {items.map((task) => (
          <TaskItem key={task.id} task={task} tags={tags.data?.map((tag) => tag.name) ?? []} />
        ))}
      </ul>
      {tasks.isSuccess && items.length === 0 && <p className="empty">Nothing here yet.</p>}
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
