import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Project } from '@taskwire/client';
import { useState } from 'react';
import { useTRPC } from './api';
import { describeError } from './errors';
import { useNotices } from './notices';
import { ShareDialog } from './share-dialog';

/** The project's name and role; outside the Inbox, Share, and Leave (a member) or Delete (the owner). */
export function ProjectHead({ project, me, headingId }: { project: Project; me: string; headingId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const [sharing, setSharing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const owner = project.role === 'owner';
  // The project leaves the list; the app then shows the Inbox.
  const gone = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.project.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.task.pathKey() });
  };
  const onError = (error: unknown) => show({ text: describeError(error), tone: 'error' });
  const leave = useMutation(trpc.project.leave.mutationOptions({ onSuccess: gone, onError }));
  const remove = useMutation(
    trpc.project.delete.mutationOptions({
      onSuccess: () => {
        gone();
        show({ text: `Deleted “${project.name}”; its tasks are in the trash.`, tone: 'info' });
      },
      onError,
    }),
  );
  const members = project.memberCount === 1 ? '1 member' : `${project.memberCount} members`;

  return (
    <div className="project-head">
      <h2 id={headingId}>{project.name}</h2>
      {!project.inbox && (
        <div className="row">
          <span className="meta">
            {members} · you are {project.role === 'owner' ? 'the owner' : `a ${project.role}`}
          </span>
          <button type="button" className="secondary" onClick={() => setSharing(true)}>
            Share
          </button>
          {confirming ? (
            <>
              <button
                type="button"
                className="danger"
                disabled={leave.isPending || remove.isPending}
                onClick={() => (owner ? remove.mutate({ id: project.id }) : leave.mutate({ projectId: project.id }))}
              >
                {owner ? 'Yes, delete it' : 'Yes, leave it'}
              </button>
              <button type="button" className="quiet" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="quiet danger" onClick={() => setConfirming(true)}>
              {owner ? 'Delete project' : 'Leave project'}
            </button>
          )}
        </div>
      )}
      {sharing && <ShareDialog project={project} me={me} close={() => setSharing(false)} />}
    </div>
  );
}
