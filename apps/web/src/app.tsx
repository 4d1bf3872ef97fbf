import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Project } from '@taskwire/client';
import { useEffect, useSyncExternalStore } from 'react';
import { AccountView } from './account-view';
import { useTRPC } from './api';
import { AuthScreen } from './auth-screen';
import { DueView } from './due-view';
import { describeError } from './errors';
import { Invitations } from './invitations';
import { useLiveEvents } from './live-events';
import { NoticesProvider } from './notices';
import { isConsentPath, OAuthConsent } from './oauth-consent';
import { pickProject } from './projects';
import { ProjectsNav } from './projects-nav';
import { session, useSession } from './session';
import { ShortcutsHelp } from './shortcuts';
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
      {!current ? (
        <AuthScreen />
      ) : isConsentPath() ? (
        <OAuthConsent />
      ) : (
        <SignedIn key={current.user.id} me={current.user.id} email={current.user.email} />
      )}
    </NoticesProvider>
  );
}

function SignedIn({ me, email }: { me: string; email: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, update] = useUrlState();
  const live = useLiveEvents(me);
  const projects = useQuery(trpc.project.list.queryOptions());
  const { project, gone } = pickProject(projects.data ?? [], state.project);
  // A project the person no longer belongs to (or a stale link) gives way to the Inbox.
  useEffect(() => {
    if (projects.isSuccess && gone) update({ project: null }, { replace: true });
  }, [projects.isSuccess, gone, update]);
  const open = (next: Project) => update({ view: 'tasks', project: next.inbox ? null : next.id });
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
      {!online ? (
        <p className="offline" role="status">
          You are offline. Changes will not be saved until the connection is back.
        </p>
      ) : (
        live.down && (
          <p className="offline" role="status">
            Reconnecting to Taskwire… Changes made meanwhile show as soon as it is back.
          </p>
        )
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
        <ShortcutsHelp />
        <span className="who">{email}</span>
        <button type="button" className="quiet" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out
        </button>
      </header>
      <Invitations opened={open} />
      <div className="layout">
        <ProjectsNav
          projects={projects.data ?? []}
          currentId={state.view === 'tasks' ? (project?.id ?? null) : null}
          view={state.view}
          go={(view) => update({ view })}
          open={open}
        />
        <main>
          {projects.error && (
            <p className="error" role="alert">
              {describeError(projects.error)}
            </p>
          )}
          {state.view === 'tasks' && project && (
            <TasksView key={project.id} state={state} update={update} project={project} me={me} />
          )}
          {(state.view === 'today' || state.view === 'upcoming') && (
            <DueView key={state.view} kind={state.view} projects={projects.data ?? []} me={me} />
          )}
          {state.view === 'trash' && <TrashView />}
          {state.view === 'account' && <AccountView />}
        </main>
      </div>
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
