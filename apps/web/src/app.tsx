import { useMutation, useQueryClient } from '@tanstack/react-query';
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
  return <NoticesProvider>{current ? <SignedIn email={current.user.email} /> : <AuthScreen />}</NoticesProvider>;
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
  return (
    <div className="shell">
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
