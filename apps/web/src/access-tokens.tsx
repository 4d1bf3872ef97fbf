import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useTRPC } from './api';
import { formatWhen } from './dates';
import { describeError } from './errors';
import { useNotices } from './notices';
import { ProjectPicker, useProjectChoice } from './project-picker';

// Personal access tokens for scripts: created here (shown once, with Copy), listed without the
// secret (its first characters only), and revoked. Managed by a signed-in session only.

const EXPIRIES = [
  ['30', '30 days'],
  ['90', '90 days'],
  ['365', '365 days'],
  ['never', 'Never'],
] as const;
type Expiry = (typeof EXPIRIES)[number][0];

type Access = 'read' | 'write';
const SCOPES: Record<Access, ('tasks:read' | 'tasks:write')[]> = {
  read: ['tasks:read'],
  write: ['tasks:read', 'tasks:write'],
};

/** The token just created: its secret shows here once, then never again. */
interface Created {
  id: string;
  name: string;
  token: string;
}

/** Copies to the clipboard, or (without clipboard access) selects the text for the person to copy. */
async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field?.select();
    return false;
  }
}

export function AccessTokens() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const headingId = useId();
  const tokens = useQuery(trpc.token.list.queryOptions());
  const projects = useQuery(trpc.project.list.queryOptions());
  const projectName = new Map(projects.data?.map((project) => [project.id, project.name]));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.token.list.queryKey() });

  const [name, setName] = useState('');
  const [access, setAccess] = useState<Access>('read');
  const reach = useProjectChoice();
  const [expiry, setExpiry] = useState<Expiry>('90');
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const secretField = useRef<HTMLInputElement>(null);

  const create = useMutation(
    trpc.token.create.mutationOptions({
      onSuccess: (token) => {
        setCreated({ id: token.id, name: token.name, token: token.token });
        setCopied(null);
        setName('');
        return refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.token.revoke.mutationOptions({
      onSuccess: () => refresh(),
      onError: (error) => show({ text: describeError(error), tone: 'error' }),
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      name,
      scopes: SCOPES[access],
      ...(reach.projectIds && { projectIds: reach.projectIds }),
      expiresInDays: expiry === 'never' ? null : Number(expiry),
    });
  };

  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>Access tokens</h3>
      <p className="note">
        For scripts and automations: send one as <code>Authorization: Bearer &lt;token&gt;</code>. A token can do less
        than you can, never more, and cannot manage your account.
      </p>
      <form className="card" aria-label="New access token" onSubmit={submit}>
        <label>
          Token name
          <input type="text" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Access
          <select value={access} onChange={(e) => setAccess(e.target.value as Access)}>
            <option value="read">Read only</option>
            <option value="write">Read and write</option>
          </select>
        </label>
        <ProjectPicker choice={reach} projects={projects.data} />
        <label>
          Expires after
          <select value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)}>
            {EXPIRIES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {create.error && (
          <p className="error" role="alert">
            The token was not created: {describeError(create.error)}
          </p>
        )}
        <button type="submit" disabled={create.isPending || !reach.complete}>
          Create token
        </button>
      </form>

      {created && (
        <section className="card new-token" aria-label={`Token ${created.name}`}>
          <p>
            Copy the token “{created.name}” now. It is shown only this once; Taskwire keeps only a fingerprint of it.
          </p>
          <div className="row">
            <input
              ref={secretField}
              className="secret"
              type="text"
              readOnly
              aria-label="New token"
              value={created.token}
              onFocus={(e) => e.currentTarget.select()}
            />
            <button type="button" onClick={() => void copyText(created.token, secretField.current).then(setCopied)}>
              Copy
            </button>
            <button type="button" className="secondary" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
          <p className="meta" role="status">
            {copied === true
              ? 'Copied to the clipboard.'
              : copied === false
                ? 'This browser did not allow copying: the token is selected, copy it with Ctrl+C (⌘C).'
                : ''}
          </p>
        </section>
      )}

      {tokens.data?.length === 0 && <p className="meta">No access token yet.</p>}
      <ul className="sessions tokens" aria-label="Access tokens">
        {tokens.data?.map((token) => {
          const expired = token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now();
          return (
            <li key={token.id}>
              <div>
                <span>
                  {token.name} <code>{token.prefix}…</code>
                </span>
                <span className="meta">
                  {token.scopes.includes('tasks:write') ? 'read and write' : 'read only'} ·{' '}
                  {token.projectIds
                    ? token.projectIds.map((id) => projectName.get(id) ?? 'a project no longer yours').join(', ')
                    : 'all projects'}{' '}
                  · last used {token.lastUsedAt ? formatWhen(token.lastUsedAt) : 'never'} ·{' '}
                  {token.expiresAt
                    ? `${expired ? 'expired' : 'expires'} ${formatWhen(token.expiresAt)}`
                    : 'never expires'}
                </span>
              </div>
              <button
                type="button"
                className="secondary"
                aria-label={`Revoke ${token.name}`}
                disabled={revoke.isPending}
                onClick={() =>
                  revoke.mutate(
                    { id: token.id },
                    { onSuccess: () => setCreated((shown) => (shown?.id === token.id ? null : shown)) },
                  )
                }
              >
                Revoke
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
