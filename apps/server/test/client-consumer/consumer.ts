// A frontend outside the monorepo, written against the packed @taskwire/client only.
// client-package.test.ts compiles it with tsc (strict) and runs it against a live server.
import {
  createTaskwireClient,
  type EventSourceConstructor,
  type Invitation,
  isTaskwireError,
  type Member,
  type Project,
  type ProjectEvent,
  type ProjectRole,
  type RouterInputs,
  type RouterOutputs,
  type Task,
  type TaskEvent,
  type TaskwireClient,
  type TaskwireErrorData,
} from '@taskwire/client';

type IsAny<T> = 0 extends 1 & T ? true : false;
// Each is an error if the client's types degraded to `any`.
export const titleIsNotAny: IsAny<RouterOutputs['task']['get']['title']> = false;
export const inputIsNotAny: IsAny<RouterInputs['task']['create']> = false;
export const errorCodeIsNotAny: IsAny<TaskwireErrorData['code']> = false;
export const projectIsNotAny: IsAny<Project> = false;
export const roleIsNotAny: IsAny<ProjectRole> = false;
export const memberIsNotAny: IsAny<Member['email']> = false;
export const invitationIsNotAny: IsAny<Invitation['projectName']> = false;
export const projectEventIsNotAny: IsAny<ProjectEvent['projectId']> = false;

export async function run(url: string) {
  const anonymous = createTaskwireClient({ url });
  const auth = await anonymous.auth.signUp.mutate({
    email: `consumer-${Date.now()}@example.com`,
    password: 'a consumer of the package',
  });
  const client = createTaskwireClient({ url, token: auth.accessToken, refreshToken: auth.refreshToken });
  const created: Task = await client.task.create.mutate({
    title: 'from the packed client',
    priority: 'high',
    tags: ['outside'],
  });
  const page = await client.task.list.query({ limit: 10 });
  const titles: string[] = page.items.map((task) => task.title);
  let missing: TaskwireErrorData['code'] | undefined;
  try {
    await client.task.get.query({ id: '00000000-0000-4000-8000-000000000000' });
  } catch (error) {
    if (isTaskwireError(error)) missing = error.data?.code;
  }
  return { created: { title: created.title, priority: created.priority, tags: created.tags }, titles, missing };
}

/** Waits until `condition` holds (checked every 20 ms), or fails after `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Two accounts share a project: the owner creates it and invites; the invitee, listening live,
 * accepts, lists its tasks, and hears the project's events and a task the owner adds. `EventSource`
 * is a browser's own (Node needs a polyfill such as the `eventsource` package).
 */
export async function share(url: string, EventSource: EventSourceConstructor) {
  const anonymous = createTaskwireClient({ url });
  const stamp = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const password = 'a consumer of the package';
  const ownerAuth = await anonymous.auth.signUp.mutate({ email: `owner-${stamp}@example.com`, password });
  const inviteeEmail = `invitee-${stamp}@example.com`;
  const inviteeAuth = await anonymous.auth.signUp.mutate({ email: inviteeEmail, password });
  const owner = createTaskwireClient({ url, token: ownerAuth.accessToken });
  const invitee = createTaskwireClient({ url, token: inviteeAuth.accessToken, EventSource });

  const project: Project = await owner.project.create.mutate({ name: 'Shared from outside' });
  await owner.task.create.mutate({ projectId: project.id, title: 'before the invitee joined' });

  const events: TaskEvent[] = [];
  let started = false;
  const subscription = invitee.task.events.subscribe(
    {},
    {
      onStarted: () => {
        started = true;
      },
      onData: ({ data }) => {
        events.push(data);
      },
    },
  );
  const projectEvents = () =>
    events.filter((event): event is ProjectEvent => event.taskId === null && event.type !== 'resync');
  try {
    await until(() => started, 10_000, 'the invitee stream to start');
    await owner.project.invite.mutate({ projectId: project.id, email: inviteeEmail, role: 'editor' });
    const pending: Invitation[] = await invitee.project.invitations.query();
    const invitation = pending.find((item) => item.projectId === project.id);
    if (!invitation) throw new Error('the invitation is not listed for the invitee');
    const joined: Project = await invitee.project.accept.mutate({ invitationId: invitation.id });
    const listed = await invitee.task.list.query({ projectId: project.id });
    const members: Member[] = await owner.project.members.query({ projectId: project.id });
    const added = await owner.task.create.mutate({ projectId: project.id, title: 'after the invitee joined' });
    await until(
      () => projectEvents().some((event) => event.type === 'member.added' && event.userId === inviteeAuth.user.id),
      10_000,
      'member.added on the invitee stream',
    );
    await until(
      () => events.some((event) => event.type === 'task.created' && event.taskId === added.id),
      10_000,
      'the owner’s new task on the invitee stream',
    );
    const created = events.find((event) => event.type === 'task.created' && event.taskId === added.id);
    return {
      invitation: { projectName: invitation.projectName, invitedBy: invitation.invitedBy, role: invitation.role },
      joined: { id: joined.id === project.id, name: joined.name, role: joined.role, memberCount: joined.memberCount },
      titles: listed.items.map((task) => task.title),
      members: members.map((member) => `${member.email === inviteeEmail ? 'invitee' : 'owner'}:${member.role}`),
      projectEvents: projectEvents()
        .filter((event) => event.projectId === project.id)
        .map((event) => `${event.type}${event.userId === inviteeAuth.user.id ? ' (invitee)' : ''}`),
      createdInProject: created?.task?.projectId === project.id,
      ownerEmail: ownerAuth.user.email,
    };
  } finally {
    subscription.unsubscribe();
  }
}

// Never called: each line below must fail to compile.
export async function wrongUses(client: TaskwireClient) {
  // @ts-expect-error: there is no such procedure.
  await client.task.nothingHere.query();
  // @ts-expect-error: userId is not an input; the server takes the user from the token.
  await client.task.create.mutate({ title: 'x', userId: 'someone-else' });
  // @ts-expect-error: title is a string.
  await client.task.create.mutate({ title: 42 });
  const task = await client.task.get.query({ id: '00000000-0000-4000-8000-000000000000' });
  // @ts-expect-error: a task's title is a string, not a number.
  const wrongOutput: number = task.title;
  // @ts-expect-error: a procedure is not a number.
  const notANumber: number = client.task.create;
  return [wrongOutput, notANumber];
}
