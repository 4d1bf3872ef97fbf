import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from './api';
import { formatWhen } from './dates';
import { describeError } from './errors';
import { useNotices } from './notices';

/** The OAuth apps (MCP clients) connected to the account, each with Revoke. */
export function ConnectedApps() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const grants = useQuery(trpc.oauth.grants.queryOptions());
  const revoke = useMutation(
    trpc.oauth.revoke.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.oauth.grants.queryKey() }),
      onError: (error) => show({ text: describeError(error), tone: 'error' }),
    }),
  );
  return (
    <>
      <h3>Connected apps</h3>
      {grants.data?.length === 0 && <p className="meta">No app is connected.</p>}
      <ul className="sessions" aria-label="Connected apps">
        {grants.data?.map((grant) => (
          <li key={grant.id}>
            <span>{grant.clientName}</span>
            <span className="meta">
              {grant.scopes.includes('tasks:write') ? 'reads and writes' : 'reads'}{' '}
              {grant.projectIds ? `${grant.projectIds.length} project(s)` : 'all projects'} · last used{' '}
              {grant.lastUsedAt ? formatWhen(grant.lastUsedAt) : 'never'}
            </span>
            <button
              type="button"
              className="secondary"
              aria-label={`Revoke ${grant.clientName}`}
              disabled={revoke.isPending}
              onClick={() => revoke.mutate({ id: grant.id })}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
