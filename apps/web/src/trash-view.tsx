import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC, useTRPCClient } from './api';
import { formatWhen } from './dates';
import { describeError } from './errors';
import { useNotices } from './notices';

/** Deleted tasks, kept 30 days: restore one, delete one for good, or empty the trash. */
export function TrashView() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const trash = useInfiniteQuery({
    queryKey: [...trpc.task.listTrash.queryKey({ limit: 20 }), 'pages'],
    queryFn: ({ pageParam, signal }) => client.task.listTrash.query({ limit: 20, cursor: pageParam }, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.task.pathKey() });
  const onError = (error: unknown) => show({ text: describeError(error), tone: 'error' });
  const restore = useMutation(trpc.task.restore.mutationOptions({ onSuccess: refresh, onError }));
  const purge = useMutation(trpc.task.purge.mutationOptions({ onSuccess: refresh, onError }));
  const empty = useMutation(trpc.task.emptyTrash.mutationOptions({ onSuccess: refresh, onError }));
  const items = trash.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section aria-labelledby="trash-heading">
      <div className="row spread">
        <h2 id="trash-heading">Trash</h2>
        <button type="button" className="secondary danger" disabled={items.length === 0} onClick={() => empty.mutate()}>
          Empty trash
        </button>
      </div>
      <ul className="task-list" aria-label="Trash">
        {items.map((task) => (
          <li key={task.id} className="task">
            <div className="task-body">
              <span className="title">{task.title}</span>
              {task.deletedAt && <span className="meta">deleted {formatWhen(task.deletedAt)}</span>}
            </div>
            <div className="actions">
              <button
                type="button"
                className="quiet"
                aria-label={`Restore ${task.title}`}
                onClick={() => restore.mutate({ id: task.id })}
              >
                Restore
              </button>
              <button
                type="button"
                className="quiet danger"
                aria-label={`Delete ${task.title} for good`}
                onClick={() => purge.mutate({ id: task.id })}
              >
                Delete for good
              </button>
            </div>
          </li>
        ))}
      </ul>
      {trash.isSuccess && items.length === 0 && <p className="empty">The trash is empty.</p>}
      {trash.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void trash.fetchNextPage()}>
          Load more
        </button>
      )}
    </section>
  );
}
