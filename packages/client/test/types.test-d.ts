import { describe, expectTypeOf, it } from 'vitest';
import {
  createTaskwireClient,
  type Invitation,
  isTaskwireError,
  type Member,
  type Project,
  type ProjectEvent,
  type ProjectEventType,
  type ProjectRole,
  type RouterInputs,
  type RouterOutputs,
  type Tag,
  type Task,
  type TaskChangeEvent,
  type TaskEvent,
  type TaskEventType,
  type TaskwireErrorData,
} from '../src/index.js';

// These run under `vitest --typecheck`: they prove what a frontend's compiler sees.

describe('the client as a frontend sees it', () => {
  const client = createTaskwireClient({ url: 'http://127.0.0.1:3000/trpc', token: () => 'token' });

  it('infers outputs from the router', () => {
    expectTypeOf<RouterOutputs['task']['list']['items'][number]['title']>().toEqualTypeOf<string>();
    expectTypeOf<RouterOutputs['task']['list']['nextCursor']>().toEqualTypeOf<string | null>();
    expectTypeOf<Task['completedAt']>().toEqualTypeOf<string | null>();
    expectTypeOf<Task['createdAt']>().toEqualTypeOf<string>();
    expectTypeOf(client.task.get.query).returns.resolves.toEqualTypeOf<Task>();
    expectTypeOf(client.auth.signIn.mutate).returns.resolves.toHaveProperty('accessToken').toEqualTypeOf<string>();
  });

  it('infers inputs from the zod schemas', () => {
    expectTypeOf<RouterInputs['task']['create']['title']>().toEqualTypeOf<string>();
    expectTypeOf<RouterInputs['task']['create']['priority']>().toEqualTypeOf<
      'none' | 'low' | 'medium' | 'high' | undefined
    >();
    expectTypeOf<RouterInputs['task']['create']['tags']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<RouterOutputs['task']['toggle']['nextOccurrence']>().toEqualTypeOf<Task | null>();
    expectTypeOf<Extract<RouterInputs['task']['list'], object>['status']>().toEqualTypeOf<
      'all' | 'open' | 'completed' | undefined
    >();
  });

  it('rejects wrong input fields at compile time', () => {
    // @ts-expect-error: userId is not an input; the server picks the user from the token.
    void client.task.create.mutate({ title: 'x', userId: 'someone-else' });
    // @ts-expect-error: title must be a string.
    void client.task.create.mutate({ title: 42 });
    // @ts-expect-error: status is one of all | open | completed.
    void client.task.list.query({ status: 'done' });
    // @ts-expect-error: a query procedure has no mutate.
    void client.task.list.mutate();
  });

  it('types the domain and the error shape', () => {
    expectTypeOf<Tag['taskCount']>().toEqualTypeOf<number>();
    expectTypeOf<TaskwireErrorData['code']>().toExtend<string>();
    expectTypeOf<'UNAUTHORIZED'>().toExtend<TaskwireErrorData['code']>();
    expectTypeOf<TaskwireErrorData['requestId']>().toEqualTypeOf<string | null>();
    expectTypeOf<NonNullable<TaskwireErrorData['zodError']>['fieldErrors']['title']>().toEqualTypeOf<
      string[] | undefined
    >();
    const error: unknown = new Error('x');
    if (isTaskwireError(error)) expectTypeOf(error.data?.code).toEqualTypeOf<TaskwireErrorData['code'] | undefined>();
  });

  it('types live events: subscribe input, tracked ids, and the event union', () => {
    expectTypeOf<Extract<RouterInputs['task']['events'], object>['lastEventId']>().toEqualTypeOf<
      string | null | undefined
    >();
    expectTypeOf<TaskEventType>().toEqualTypeOf<
      | 'task.created'
      | 'task.updated'
      | 'task.deleted'
      | 'task.restored'
      | 'task.purged'
      | 'task.reminder'
      | 'resync'
      | 'webhook.disabled'
      | ProjectEventType
    >();
    expectTypeOf<ProjectEventType>().toEqualTypeOf<
      'project.updated' | 'project.deleted' | 'member.added' | 'member.removed' | 'invitation.received'
    >();
    expectTypeOf<TaskChangeEvent['task']>().toEqualTypeOf<Task | null>();
    const subscription = client.task.events.subscribe(
      {},
      {
        onData(event) {
          expectTypeOf(event.id).toEqualTypeOf<string>();
          expectTypeOf(event.data).toEqualTypeOf<TaskEvent>();
          if (event.data.type === 'resync') expectTypeOf(event.data.task).toEqualTypeOf<null>();
          else if (event.data.type === 'member.removed') {
            expectTypeOf(event.data).toEqualTypeOf<ProjectEvent>();
            expectTypeOf(event.data.projectId).toEqualTypeOf<string>();
            expectTypeOf(event.data.userId).toEqualTypeOf<string | undefined>();
          } else expectTypeOf(event.data.task).toEqualTypeOf<Task | null>();
        },
      },
    );
    expectTypeOf(subscription.unsubscribe).toEqualTypeOf<() => void>();
  });

  it('types projects, members and invitations, and their inputs', () => {
    expectTypeOf(client.project.list.query).returns.resolves.toEqualTypeOf<Project[]>();
    expectTypeOf<Project['inbox']>().toEqualTypeOf<boolean>();
    expectTypeOf<Project['color']>().toEqualTypeOf<string | null>();
    expectTypeOf<ProjectRole>().toEqualTypeOf<'owner' | 'editor' | 'viewer'>();
    expectTypeOf<Member['email']>().toEqualTypeOf<string | null>();
    expectTypeOf<Member['role']>().toEqualTypeOf<ProjectRole>();
    expectTypeOf<Invitation['projectName']>().toEqualTypeOf<string>();
    expectTypeOf<Invitation['role']>().toEqualTypeOf<'editor' | 'viewer'>();
    expectTypeOf<Task['projectId']>().toEqualTypeOf<string>();
    expectTypeOf<Task['assigneeId']>().toEqualTypeOf<string | null>();
    expectTypeOf<RouterInputs['project']['invite']['role']>().toEqualTypeOf<'editor' | 'viewer'>();
    expectTypeOf<Extract<RouterInputs['task']['list'], object>['assignee']>().toEqualTypeOf<string | undefined>();
    // @ts-expect-error: an invitation gives editor or viewer; owner is given by a transfer.
    void client.project.invite.mutate({ projectId: 'p', email: 'a@example.com', role: 'owner' });
  });
});
