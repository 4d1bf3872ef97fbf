import { useQueryClient } from '@tanstack/react-query';
import { isTaskwireError } from '@taskwire/client';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from './api';
import { useNotices } from './notices';
import { session } from './session';

/** The wait before the stream's next try: 1 s, doubling to 15 s, with jitter so tabs spread out. */
export const retryDelay = (attempt: number, random = Math.random()) =>
  Math.round(Math.min(15_000, 1_000 * 2 ** attempt) * (0.75 + random * 0.25));

/**
 * Keeps every list fresh from task.events: a change from another tab, device or member refetches
 * what shows it, and a reminder shows a notice (and a system notification, when the user allowed
 * it). Project, member and invitation events refetch the projects first, so a project the person
 * was removed from leaves the screen before its tasks would be asked for.
 *
 * The stream comes back by itself: after any failed connection (a server restart, a proxy's 502)
 * it tries again with backoff, and each time it is back, the lists are refetched, since what
 * changed meanwhile may never reach this stream (a tab that had no event yet resumes from "now").
 * Returns whether the stream is down, for the offline banner.
 */
export function useLiveEvents(me: string): { down: boolean } {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const [down, setDown] = useState(false);
  const started = useRef(false);
  const attempts = useRef(0);
  const retry = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refetchAll = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.project.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.task.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.tag.pathKey() }),
    ]);
  const scheduleRetry = () => {
    setDown(true);
    clearTimeout(retry.current);
    retry.current = setTimeout(() => subscription.reset(), retryDelay(attempts.current++));
  };
  const subscription = useSubscription(
    trpc.task.events.subscriptionOptions(
      {},
      {
        onStarted: () => {
          setDown(false);
          attempts.current = 0;
          if (started.current) void refetchAll();
          started.current = true;
        },
        onConnectionStateChange: (state) => {
          // Lost and being retried (by the browser's EventSource, or after a code tRPC retries).
          if (state.state === 'connecting' && state.error) setDown(true);
          // The stream ended without being asked to: start it again.
          if (state.state === 'idle') scheduleRetry();
        },
        onData: async ({ data }) => {
          if (data.type === 'task.reminder' && data.task) {
            const text = `Reminder: ${data.task.title}`;
            show({ text, tone: 'reminder' }, 15_000);
            if ('Notification' in window && Notification.permission === 'granted' && document.hidden) {
              new Notification('Taskwire', { body: data.task.title, tag: data.taskId });
            }
          }
          if (data.type === 'webhook.disabled') {
            show({ text: `A webhook was turned off: ${data.reason}`, tone: 'info' }, 15_000);
            return;
          }
          // Project events and resync carry no task.
          if (data.taskId === null) {
            const projects = queryClient.getQueryData(trpc.project.list.queryKey());
            const project = data.type === 'resync' ? undefined : projects?.find((p) => p.id === data.projectId);
            // Said to whoever did not do it: a removed member, and the members of a deleted project.
            const removed = data.type === 'member.removed' && data.userId === me;
            const deleted = data.type === 'project.deleted' && project?.role !== 'owner';
            await queryClient.invalidateQueries({ queryKey: trpc.project.pathKey() });
            if (project && (removed || deleted)) {
              const why = deleted ? 'was deleted' : 'is no longer shared with you';
              show({ text: `“${project.name}” ${why}.`, tone: 'info' });
            }
          }
          void queryClient.invalidateQueries({ queryKey: trpc.task.pathKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.tag.pathKey() });
        },
        // The stream ends UNAUTHORIZED when the session was revoked and no refresh could save it;
        // anything else (a 502, a refused connection, a server error) is tried again.
        onError: (error) => {
          if (isTaskwireError(error) && error.data?.code === 'UNAUTHORIZED') {
            session.signedOut();
            queryClient.clear();
            return;
          }
          scheduleRetry();
        },
      },
    ),
  );
  useEffect(() => () => clearTimeout(retry.current), []);
  return { down };
}
