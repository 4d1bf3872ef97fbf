import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Member, Project } from '@taskwire/client';
import { type FormEvent, useState } from 'react';
import { useTRPC } from './api';
import { Dialog } from './dialog';
import { describeError } from './errors';

type InviteRole = 'editor' | 'viewer';

/** Who a project is shared with; its owner invites by email, changes roles and removes members. */
export function ShareDialog({ project, me, close }: { project: Project; me: string; close: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const owner = project.role === 'owner';
  const members = useQuery(trpc.project.members.queryOptions({ projectId: project.id }));
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<InviteRole>('editor');
  const [sent, setSent] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.project.pathKey() });
  const invite = useMutation(
    trpc.project.invite.mutationOptions({
      onSuccess: (invitation) => {
        setEmail('');
        setSent(`Invited ${invitation.email} as ${invitation.role}. They join once they accept.`);
      },
    }),
  );
  const change = useMutation(trpc.project.setRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.project.removeMember.mutationOptions({ onSuccess: refresh }));
  const failure = change.error ?? remove.error;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSent('');
    if (!invite.isPending) invite.mutate({ projectId: project.id, email: email.trim(), role });
  };
  const named = (member: Member) => member.email ?? 'an account without email';

  return (
    <Dialog title={`Share ${project.name}`} onClose={close}>
      {owner && (
        <form className="invite" onSubmit={submit}>
          <label>
            Invite by email
            <input
              type="email"
              required
              autoComplete="off"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          </label>
          <label>
            Role
            <select value={role} onChange={(event) => setRole(event.target.value as InviteRole)}>
              <option value="editor">editor</option>
              <option value="viewer">viewer</option>
            </select>
          </label>
          <button type="submit" disabled={invite.isPending}>
            Invite
          </button>
        </form>
      )}
      {invite.error && (
        <p className="error" role="alert">
          {describeError(invite.error)}
        </p>
      )}
      <p className="meta" role="status">
        {sent}
      </p>
      <h3>Members</h3>
      <ul className="members" aria-label="Members">
        {members.data?.map((member) => (
          <li key={member.userId}>
            <span className="member-name">
              {named(member)}
              {member.userId === me && ' (you)'}
            </span>
            {owner && member.role !== 'owner' ? (
              <>
                <select
                  aria-label={`Role of ${named(member)}`}
                  value={member.role}
                  disabled={change.isPending}
                  onChange={(event) =>
                    change.mutate({
                      projectId: project.id,
                      userId: member.userId,
                      role: event.target.value as InviteRole,
                    })
                  }
                >
                  <option value="editor">editor</option>
                  <option value="viewer">viewer</option>
                </select>
                <button
                  type="button"
                  className="quiet danger"
                  aria-label={`Remove ${named(member)}`}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate({ projectId: project.id, userId: member.userId })}
                >
                  Remove
                </button>
              </>
            ) : (
              <span className="meta">{member.role}</span>
            )}
          </li>
        ))}
      </ul>
      {(members.error || failure) && (
        <p className="error" role="alert">
          {describeError(members.error ?? failure)}
        </p>
      )}
      <div className="row">
        <button type="button" className="secondary" onClick={close}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
