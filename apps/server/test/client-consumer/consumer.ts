// A frontend outside the monorepo, written against the packed @taskwire/client only.
// client-package.test.ts compiles it with tsc (strict) and runs it against a live server.
import {
  createTaskwireClient,
  isTaskwireError,
  type RouterInputs,
  type RouterOutputs,
  type Task,
  type TaskwireClient,
  type TaskwireErrorData,
} from '@taskwire/client';

type IsAny<T> = 0 extends 1 & T ? true : false;
// Each is an error if the client's types degraded to `any`.
export const titleIsNotAny: IsAny<RouterOutputs['task']['get']['title']> = false;
export const inputIsNotAny: IsAny<RouterInputs['task']['create']> = false;
export const errorCodeIsNotAny: IsAny<TaskwireErrorData['code']> = false;

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
