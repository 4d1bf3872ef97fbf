import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTRPC, useTRPCClient } from './api';
import { describeError } from './errors';
import { session } from './session';

/** The first screen of a signed-out visitor: one form, two ways in. */
export function AuthScreen() {
  const trpc = useTRPC();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation(trpc.auth.signIn.mutationOptions({ onSuccess: session.signedIn }));
  const client = useTRPCClient();
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: (result) => {
        session.signedIn(result);
        // A new account reads "9am" and "tomorrow" (quick add, reminders) in this browser's time
        // zone rather than the server's default, UTC. Best effort: the account works either way.
        const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        if (timezone) void client.auth.updateProfile.mutate({ timezone }).catch(() => undefined);
      },
    }),
  );
  const pending = signIn.isPending || signUp.isPending;
  const error = signIn.error ?? signUp.error;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const credentials = { email, password };
    signIn.reset();
    signUp.reset();
    if (submitter?.value === 'signup') signUp.mutate(credentials);
    else signIn.mutate(credentials);
  };

  return (
    <main className="auth">
      <h1 className="brand">Taskwire</h1>
      <p className="lead">Your tasks, on every device, as they change.</p>
      <form onSubmit={submit} className="card">
        <label>
          Email
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {describeError(error)}
          </p>
        )}
        <div className="row">
          <button type="submit" name="mode" value="signin" disabled={pending}>
            Sign in
          </button>
          <button type="submit" name="mode" value="signup" className="secondary" disabled={pending}>
            Sign up
          </button>
        </div>
      </form>
    </main>
  );
}
