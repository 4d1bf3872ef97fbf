// The TanStack Query setup from packages/client/README.md, compiled against the packed client
// beside @trpc/tanstack-react-query's newest release.
import { QueryClient, QueryClientProvider, useMutation, useQuery } from '@tanstack/react-query';
import { type AppRouter, createTaskwireClient } from '@taskwire/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';

type IsAny<T> = 0 extends 1 & T ? true : false;

const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

const queryClient = new QueryClient();
const trpcClient = createTaskwireClient({
  url: '/trpc',
  token: () => localStorage.getItem('accessToken'),
  refreshToken: () => localStorage.getItem('refreshToken'),
  onTokens: (tokens) => {
    localStorage.setItem('accessToken', tokens.accessToken);
    localStorage.setItem('refreshToken', tokens.refreshToken);
  },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <Tasks />
      </TRPCProvider>
    </QueryClientProvider>
  );
}

function Tasks() {
  const trpc = useTRPC();
  const tasks = useQuery(trpc.task.list.queryOptions({ status: 'open', limit: 20 }));
  const create = useMutation(
    trpc.task.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.task.list.queryKey() }),
    }),
  );
  // With skipLibCheck on (Vite's and Next's default), a broken type would silently be any.
  const notAny: IsAny<NonNullable<typeof tasks.data>['items'][number]['title']> = false;
  const titles: string[] | undefined = tasks.data?.items.map((task) => task.title);
  // @ts-expect-error: a task's title is a string.
  const wrong: number | undefined = tasks.data?.items[0]?.title;
  // @ts-expect-error: status is one of all | open | completed.
  useQuery(trpc.task.list.queryOptions({ status: 'done' }));
  return (
    <button type="button" onClick={() => create.mutate({ title: 'New task' })}>
      {titles?.join(', ')} {wrong} {String(notAny)}
    </button>
  );
}
