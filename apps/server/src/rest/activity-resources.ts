import { type Activity, activitySchema, type RouterOutputs, undoOutput } from '@taskwire/api';
import { defineResource, EXAMPLE_TIME, type RestResource } from './resource.js';
import { exampleTask, restTaskSchema, withOwner } from './resources.js';

// The activity log and undo's answer in REST's shape. `before` and `after` are
// tasks as REST shows them everywhere else (with `user_id`, the caller's).

const EXAMPLE_BATCH_ID = '0193a5b6-4d5e-7f60-8b72-8d9e0f1a2b3c';

const restActivitySchema = activitySchema.extend({
  before: restTaskSchema.nullable(),
  after: restTaskSchema.nullable(),
});

export const activityResource = defineResource({
  name: 'Activity',
  schema: restActivitySchema,
  example: {
    id: '42',
    at: EXAMPLE_TIME,
    actor: { kind: 'token', id: '0193a5b7-5e6f-7a81-9c83-9e0f1a2b3c4d', name: 'Kitchen display' },
    type: 'task.updated',
    taskId: exampleTask.id,
    before: { ...exampleTask, priority: 'low' },
    after: exampleTask,
    batchId: EXAMPLE_BATCH_ID,
  },
  fromOutput: (entry: Activity, userId: string) => ({
    ...entry,
    before: entry.before && withOwner(entry.before, userId),
    after: entry.after && withOwner(entry.after, userId),
  }),
});

export const undoResource = defineResource({
  name: 'UndoResult',
  schema: undoOutput,
  example: { taskIds: [exampleTask.id], batchId: EXAMPLE_BATCH_ID },
  fromOutput: (result: RouterOutputs['activity']['undo']) => result,
});

/** For components.schemas. */
export const activityResources: readonly RestResource<never, unknown>[] = [activityResource, undoResource];
