import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from './api';
import { describeError } from './errors';
import { ProjectPicker, useProjectChoice } from './project-picker';

// The OAuth consent screen (/oauth/consent, reached from the server's /oauth/authorize): which app
// asks, what it may do, on which projects; Allow or Deny. Both are POSTs (tRPC mutations) whose
// answer says where to send the browser: back to the app, with a code or access_denied.

const SCOPE_WORDS: Record<string, string> = {
  'tasks:read': 'See your projects, tasks and tags',
  'tasks:write': 'Create, change, complete and delete tasks',
};

/** The authorization request as /oauth/authorize passed it on. */
function requestFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const optional = (name: string) => params.get(name) ?? undefined;
  return {
    clientId: params.get('client_id') ?? '',
    redirectUri: params.get('redirect_uri') ?? '',
    scope: optional('scope'),
    state: optional('state'),
    codeChallenge: params.get('code_challenge') ?? '',
    codeChallengeMethod: optional('code_challenge_method'),
    resource: params.get('resource') ?? '',
  };
}

/** Whether this page is the consent screen. */
export const isConsentPath = () => window.location.pathname === '/oauth/consent';

export function OAuthConsent() {
  const trpc = useTRPC();
  const [request] = useState(requestFromUrl);
  const described = useQuery({ ...trpc.oauth.describe.queryOptions(request), retry: false });
  const projects = useQuery(trpc.project.list.queryOptions());
  const reach = useProjectChoice();
  const leave = ({ redirectTo }: { redirectTo: string }) => window.location.assign(redirectTo);
  const approve = useMutation(trpc.oauth.approve.mutationOptions({ onSuccess: leave }));
  const deny = useMutation(trpc.oauth.deny.mutationOptions({ onSuccess: leave }));
  const error = described.error ?? approve.error ?? deny.error;
  const pending = approve.isPending || deny.isPending || approve.isSuccess || deny.isSuccess;

  return (
    <main className="auth consent">
      <p className="brand">Taskwire</p>
      {error && (
        <p className="error" role="alert">
          {describeError(error)}
        </p>
      )}
      {described.data && (
        <form
          className="card"
          onSubmit={(event) => {
            event.preventDefault();
            approve.mutate({ ...request, projectIds: reach.projectIds });
          }}
        >
          <h1>Allow {described.data.clientName} to use your Taskwire account?</h1>
          <p>It will be able to:</p>
          <ul aria-label="Permissions">
            {described.data.scopes.map((scope) => (
              <li key={scope}>{SCOPE_WORDS[scope] ?? scope}</li>
            ))}
          </ul>
          <ProjectPicker choice={reach} projects={projects.data} />
          <p className="meta">You will go back to {described.data.redirectOrigin}.</p>
          <div className="actions">
            <button type="submit" disabled={pending || !reach.complete}>
              Allow
            </button>
            <button type="button" className="secondary" disabled={pending} onClick={() => deny.mutate(request)}>
              Deny
            </button>
          </div>
        </form>
      )}
    </main>
  );
}
