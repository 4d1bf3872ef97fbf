import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Project } from '@taskwire/client';
import { useTRPC } from './api';
import { describeError } from './errors';
import { useNotices } from './notices';

/** Invitations waiting for the person: accept (and open the project) or decline each. */
export function Invitations({ opened }: { opened: (project: Project) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const invitations = useQuery(trpc.project.invitations.queryOptions());
  const onError = (error: unknown) => show({ text: describeError(error), tone: 'error' });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.project.pathKey() });
  const accept = useMutation(
    trpc.project.accept.mutationOptions({
      onSuccess: async (project) => {
        await refresh();
        opened(project);
      },
      onError,
    }),
  );
  const decline = useMutation(trpc.project.decline.mutationOptions({ onSuccess: refresh, onError }));
  const items = invitations.data ?? [];
  if (items.length === 0) return null;
  const busy = accept.isPending || decline.isPending;

  return (
    <section className="invitations" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      <ul>
        {items.map((invitation) => (
          <li key={invitation.id} className="invitation">
            <span>
              {invitation.invitedBy ?? 'Someone'} invited you to <strong>{invitation.projectName}</strong> as{' '}
              {invitation.role}.
            </span>
            <span className="actions">
              <button type="button" disabled={busy} onClick={() => accept.mutate({ invitationId: invitation.id })}>
                Accept
              </button>
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() => decline.mutate({ invitationId: invitation.id })}
              >
                Decline
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
