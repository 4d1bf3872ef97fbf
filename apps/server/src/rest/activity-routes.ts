import { activityResource, undoResource } from './activity-resources.js';
import { one, paged } from './responders.js';
import { type AnyRestRoute, route } from './route.js';

// Who changed which task, and undo.

export const ACTIVITY_ROUTES: readonly AnyRestRoute[] = [
  route({
    method: 'GET',
    path: '/activity',
    access: 'user',
    procedure: 'activity.list',
    tag: 'activity',
    summary: 'Who changed which task, newest first',
    description:
      'The changes to the tasks of your projects (or of `project_id`; `actor_id` narrows to one session, token, app or user), each with the task `before` and `after` and the `batch_id` it belongs to: one request, or one MCP tool call. Paged through the `Link` header. Kept 30 days (`ACTIVITY_RETENTION_DAYS`).',
    response: paged(activityResource),
    errors: [404],
  }),
  route({
    method: 'POST',
    path: '/activity/:batch_id/undo',
    access: 'user',
    procedure: 'activity.undo',
    tag: 'activity',
    summary: 'Undo a batch of changes',
    description:
      'Puts every task the batch changed back as it was: created tasks go to the trash, deleted ones come back. 409, naming the task, when one changed again since; nothing is undone then. The undo is a batch of its own, so undoing it redoes.',
    response: one(undoResource),
    errors: [404, 409],
  }),
];
