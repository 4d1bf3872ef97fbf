import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { Project } from '@taskwire/client';
import { Fragment, useMemo } from 'react';
import { useTRPC, useTRPCClient } from './api';
import { dayHeading, dueRange, groupByDay } from './dates';
import { describeError } from './errors';
import { canEditTasks } from './projects';
import { TaskItem } from './task-item';

/**
 * Today (open tasks due today or overdue) and Upcoming (the next 7 days, under a heading per day),
 * across every project, in the browser's time zone.
 */
export function DueView({
  kind,
  projects,
  me,
}: {
  kind: 'today' | 'upcoming';
  projects: readonly Project[];
  me: string;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  // The day is fixed when the view opens (and on every visit): midnight moves it on a reload.
  const range = useMemo(() => dueRange(kind), [kind]);
  const input = { status: 'open' as const, sort: 'dueAt' as const, order: 'asc' as const, limit: 50, ...range };
  const tasks = useInfiniteQuery({
    queryKey: [...trpc.task.list.queryKey(input), 'pages'],
    queryFn: ({ pageParam, signal }) => client.task.list.query({ ...input, cursor: pageParam }, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const tags = useQuery(trpc.tag.list.queryOptions());
  const items = tasks.data?.pages.flatMap((page) => page.items) ?? [];
  const title = kind === 'today' ? 'Today' : 'Upcoming';
  const item = (task: (typeof items)[number]) => {
    const project = projects.find((p) => p.id === task.projectId);
    const tagNames = tags.data?.filter((tag) => tag.projectId === task.projectId).map((tag) => tag.name) ?? [];
    return (
      <TaskItem
        key={task.id}
        task={task}
        tags={tagNames}
        members={[]}
        me={me}
        canEdit={project ? canEditTasks(project) : false}
      />
    );
  };

  return (
    <section className="tasks due-view" aria-labelledby="due-heading">
      <div className="project-head">
        <h2 id="due-heading">{title}</h2>
      </div>
      {tasks.error && (
        <p className="error" role="alert">
          {describeError(tasks.error)}
        </p>
      )}
      {kind === 'today' ? (
        <ul className="task-list" aria-label="Tasks" aria-busy={tasks.isFetching}>
          {items.map(item)}
        </ul>
      ) : (
        groupByDay(items).map((group) => {
          const heading = dayHeading(group.day);
          return (
            <Fragment key={group.day.getTime()}>
              <h3 className="day-heading">{heading}</h3>
              <ul className="task-list" aria-label={heading}>
                {group.items.map(item)}
              </ul>
            </Fragment>
          );
        })
      )}
      {tasks.isSuccess && items.length === 0 && (
        <p className="empty">{kind === 'today' ? 'Nothing due today.' : 'Nothing due in the next 7 days.'}</p>
      )}
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
