import { useQueryClient } from '@tanstack/react-query';
import { isTaskwireError } from '@taskwire/client';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from './api';
import { useNotices } from './notices';
import { session } from './session';

/**
 * Keeps every list fresh from task.events: a change from another tab or device refetches what
 * shows it, and a reminder shows a notice (and a system notification, when the user allowed it).
 */
export function useLiveEvents(): void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  useSubscription(
    trpc.task.events.subscriptionOptions(
      {},
      {
        onData: ({ data }) => {
          if (data.type === 'task.reminder' && data.task) {
            const text = `Reminder: ${data.task.title}${data.late ? ' (missed while offline)' : ''}`;
            show({ text, tone: 'reminder' }, 15_000);
            if ('Notification' in window && Notification.permission === 'granted' && document.hidden) {
              new Notification('Taskwire', { body: data.task.title, tag: data.taskId });
            }
          }
          void queryClient.invalidateQueries({ queryKey: trpc.task.pathKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.tag.pathKey() });
        },
        // The stream ends UNAUTHORIZED when the session was revoked and no refresh could save it.
        onError: (error) => {
          if (isTaskwireError(error) && error.data?.code === 'UNAUTHORIZED') {
            session.signedOut();
            queryClient.clear();
          }
        },
      },
    ),
  );
}
