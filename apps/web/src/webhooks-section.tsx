import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTRPC } from './api';
import { formatWhen } from './dates';
import { describeError } from './errors';
import { useNotices } from './notices';

/** The account's webhooks: create one (its secret shown once), test, pause, delete, and read each one's delivery log. */
export function WebhooksSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const hooks = useQuery(trpc.webhook.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhook.pathKey() });
  const onError = (error: unknown) => show({ text: describeError(error), tone: 'error' });
  const create = useMutation(
    trpc.webhook.create.mutationOptions({
      onSuccess: (created) => {
        setSecret(created.secret);
        setUrl('');
        void refresh();
      },
      onError,
    }),
  );
  const update = useMutation(trpc.webhook.update.mutationOptions({ onSuccess: refresh, onError }));
  const remove = useMutation(trpc.webhook.delete.mutationOptions({ onSuccess: refresh, onError }));
  const test = useMutation(
    trpc.webhook.test.mutationOptions({
      onSuccess: () => show({ text: 'Test event sent.', tone: 'info' }),
      onError,
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ url, events: ['*'] });
  };
  return (
    <>
      <h3>Webhooks</h3>
      <p className="meta">
        Signed HTTPS callbacks (Standard Webhooks) for every change in your projects; see docs/integrations.md.
      </p>
      {secret && (
        <p className="card" role="status">
          Signing secret, shown only now: <code>{secret}</code>{' '}
          <button type="button" className="secondary" onClick={() => setSecret(null)}>
            Done
          </button>
        </p>
      )}
      {hooks.data?.length === 0 && <p className="meta">No webhook yet.</p>}
      <ul className="sessions" aria-label="Webhooks">
        {hooks.data?.map((hook) => (
          <li key={hook.id}>
            <span>{hook.url}</span>
            <span className="meta">
              {hook.events.join(', ')} · {hook.projectId ? 'one project' : 'all projects'} ·{' '}
              {hook.enabled ? 'on' : `off${hook.disabledReason ? ` (${hook.disabledReason})` : ''}`}
            </span>
            <button type="button" className="secondary" onClick={() => test.mutate({ id: hook.id })}>
              Test
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => update.mutate({ id: hook.id, enabled: !hook.enabled })}
            >
              {hook.enabled ? 'Pause' : 'Turn on'}
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(open === hook.id ? null : hook.id)}>
              {open === hook.id ? 'Hide log' : 'Log'}
            </button>
            <button
              type="button"
              className="secondary"
              aria-label={`Delete the webhook to ${hook.url}`}
              onClick={() => remove.mutate({ id: hook.id })}
            >
              Delete
            </button>
            {open === hook.id && <DeliveryLog id={hook.id} />}
          </li>
        ))}
      </ul>
      <form className="card" onSubmit={submit}>
        <label>
          Endpoint URL
          <input type="url" required value={url} onChange={(event) => setUrl(event.target.value)} />
        </label>
        <button type="submit" disabled={create.isPending}>
          Add webhook (all events)
        </button>
      </form>
    </>
  );
}

/** One webhook's recent delivery attempts, newest first, each with Redeliver. */
function DeliveryLog({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const log = useQuery(trpc.webhook.deliveries.queryOptions({ id }));
  const redeliver = useMutation(
    trpc.webhook.redeliver.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.webhook.deliveries.queryKey({ id }) }),
      onError: (error) => show({ text: describeError(error), tone: 'error' }),
    }),
  );
  if (log.data?.items.length === 0) return <p className="meta">No delivery yet.</p>;
  return (
    <ul aria-label="Deliveries">
      {log.data?.items.map((attempt) => (
        <li key={attempt.id}>
          <span className="meta">
            {formatWhen(attempt.at)} · {attempt.type} · attempt {attempt.attempt} · {attempt.status}
            {attempt.responseStatus ? ` ${attempt.responseStatus}` : ''} · {attempt.durationMs} ms
            {attempt.error ? ` · ${attempt.error}` : ''}
          </span>
          <button type="button" className="secondary" onClick={() => redeliver.mutate({ deliveryId: attempt.id })}>
            Redeliver
          </button>
        </li>
      ))}
    </ul>
  );
}
