import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { AccountView } from './account-view';
import { useTRPC } from './api';
import { AuthScreen } from './auth-screen';
import { useLiveEvents } from './live-events';
import { NoticesProvider } from './notices';
import { session, useSession } from './session';
import { TasksView } from './tasks-view';
import { TrashView } from './trash-view';
import type { View } from './url-state';
import { useUrlState } from './use-url-state';

const NAV: [View, string][] = [
  ['tasks', 'Tasks'],
  ['trash', 'Trash'],
  ['account', 'Account'],
];

export function App() {
  const current = useSession();
  // Keyed by user: another user signing in (in another tab) starts over, streams and all.
  return (
    <NoticesProvider>
      {current ? <SignedIn key={current.user.id} email={current.user.email} /> : <AuthScreen />}
    </NoticesProvider>
  );
}

function SignedIn({ email }: { email: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, update] = useUrlState();
  useLiveEvents();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSettled: () => {
        session.signedOut();
        queryClient.clear();
      },
    }),
  );
  const online = useSyncExternalStore(subscribeToConnectivity, () => navigator.onLine);
  return (
    <div className="shell">
      {!online && (
        <p className="offline" role="status">
          You are offline. Changes will not be saved until the connection is back.
        </p>
      )}
      <header className="top">
        <h1 className="brand">Taskwire</h1>
        <nav aria-label="Main">
          {NAV.map(([view, label]) => (
            <a
              key={view}
              href={`?view=${view}`}
              aria-current={state.view === view ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                update({ view });
              }}
            >
              {label}
            </a>
          ))}
        </nav>
        <span className="who">{email}</span>
        <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out
        </button>
      </header>
      <main>
        {state.view === 'tasks' && <TasksView state={state} update={update} />}
        {state.view === 'trash' && <TrashView />}
        {state.view === 'account' && <AccountView />}
      </main>
    </div>
  );
}

function subscribeToConnectivity(listener: () => void) {
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}
