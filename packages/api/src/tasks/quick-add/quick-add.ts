import type { Db } from '@taskwire/db';
import type { Caller } from '../../access/caller.js';
import { ensureReadable, readableProjects } from '../../access/scope.js';
import { invalidInputError, summariseInputErrors } from '../../errors.js';
import type { Quotas } from '../../quotas.js';
import { insertTask } from '../queries.js';
import { createTaskInput, type Task } from '../schemas.js';
import { userTimezone } from '../task-mutations.js';
import { type Draft, parseTaskText } from './parse-text.js';
import type { QuickAddInput, QuickAddTaskInput } from './schemas.js';

/** The caller's projects by name, for @project: only those the access module lets them read. */
function projectNames(db: Db, caller: Caller) {
  return db
    .selectFrom('projects')
    .select(['id', 'name'])
    .where('id', 'in', readableProjects(db, caller))
    .orderBy('id')
    .execute();
}

/** The draft task.parse answers: the text read in the caller's time zone, against their projects. */
export async function draftTask(db: Db, caller: Caller, input: QuickAddInput, now: Date): Promise<Draft> {
  if (input.projectId !== undefined) await ensureReadable(db, caller, input.projectId);
  const timeZone = await userTimezone(db, caller.userId);
  const projects = await projectNames(db, caller);
  return parseTaskText(input.text, { now, timeZone, projects, projectId: input.projectId });
}

/** Creates the draft through task.create's own path (access, quotas, events, activity). */
export async function quickAddTask(
  db: Db,
  caller: Caller,
  input: QuickAddTaskInput,
  options: { now: Date; quotas: Quotas },
): Promise<Task> {
  const draft = await draftTask(db, caller, { text: input.text, projectId: input.projectId }, options.now);
  const create = createTaskInput.safeParse({
    ...(input.id !== undefined && { id: input.id }),
    title: draft.title,
    priority: draft.priority,
    tags: draft.tags,
    dueAt: draft.dueAt,
    remindAt: draft.remindAt,
    recurrence: draft.recurrence,
    ...(draft.projectId !== null && { projectId: draft.projectId }),
  });
  // The draft's only failures are the text's (nothing left for the title, a title too long).
  if (!create.success) throw invalidInputError('text', summariseInputErrors(create.error));
  return insertTask(db, caller, create.data, options.quotas);
}
