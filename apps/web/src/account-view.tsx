import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { AccessTokens } from './access-tokens';
import { useTRPC } from './api';
import { ConnectedApps } from './connected-apps';
import { formatWhen } from './dates';
import { describeError } from './errors';
import { useNotices } from './notices';
import { session } from './session';
import { WebhooksSection } from './webhooks-section';

/** Signed-in devices, sign out everywhere, access tokens, connected apps, password, and deleting the account. */
export function AccountView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const onError = (error: unknown) => show({ text: describeError(error), tone: 'error' });
  const endAll = () => {
    session.signedOut();
    queryClient.clear();
  };
  const signOutAll = useMutation(trpc.auth.signOutAll.mutationOptions({ onSuccess: endAll, onError }));
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const changePassword = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => {
        show({ text: 'Password changed. Sign in again with the new one.', tone: 'info' });
        endAll();
      },
      onError,
    }),
  );
  const [confirm, setConfirm] = useState('');
  const deleteAccount = useMutation(trpc.auth.deleteAccount.mutationOptions({ onSuccess: endAll, onError }));

  const submitPassword = (event: FormEvent) => {
    event.preventDefault();
    changePassword.mutate({ currentPassword: current, newPassword: next });
  };

  return (
    <section className="account" aria-labelledby="account-heading">
      <h2 id="account-heading">Account</h2>
      <h3>Signed-in devices</h3>
      <ul className="sessions" aria-label="Sessions">
        {sessions.data?.map((device) => (
          <li key={device.id}>
            <span title={device.userAgent ?? undefined}>{device.device}</span>
            <span className="meta">
              {device.current ? 'this device · ' : ''}last used {formatWhen(device.lastUsedAt)}
            </span>
          </li>
        ))}
      </ul>
      <button type="button" className="secondary" onClick={() => signOutAll.mutate()}>
        Sign out everywhere
      </button>

      <AccessTokens />

      <ConnectedApps />
      <WebhooksSection />

      <h3>Change password</h3>
      <form className="card" onSubmit={submitPassword}>
        <label>
          Current password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <label>
          New password
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </label>
        <button type="submit" disabled={changePassword.isPending}>
          Change password
        </button>
      </form>

      <h3>Delete account</h3>
      <form
        className="card"
        onSubmit={(event) => {
          event.preventDefault();
          deleteAccount.mutate({ password: confirm });
        }}
      >
        <p>This deletes every task and signs out every device. It cannot be undone.</p>
        <label>
          Password to confirm
          <input
            type="password"
            autoComplete="current-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
        </label>
        <button type="submit" className="danger" disabled={deleteAccount.isPending}>
          Delete account
        </button>
      </form>
    </section>
  );
}
