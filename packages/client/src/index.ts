import { createTRPCClient, type TRPCClient, TRPCClientError } from '@trpc/client';
import type { AppRouter } from './contract.js';
import { type TaskwireLinksOptions, taskwireLinks } from './links.js';
import type { TaskwireClientError } from './types.js';

// Types only from the router: nothing of the server reaches a frontend bundle.
export type { AppRouter, RouterInputs, RouterOutputs } from './contract.js';
export { type EventSourceConstructor, type TaskwireLinksOptions, taskwireLinks } from './links.js';
export {
  AUTHORIZATION_CONTEXT_KEY,
  authorizationHeaders,
  type RefreshLinkOptions,
  refreshLink,
  type SessionTokens,
  sessionTokens,
} from './refresh-link.js';
export type { Tokens } from './token-keeper.js';
export type { TokenSource } from './token-source.js';
export type * from './types.js';
export { TRPCClientError };

export type TaskwireClientOptions = TaskwireLinksOptions;

/**
 * Creates the typed Taskwire client: `await client.task.list.query({ limit: 20 })`, and live events
 * with `client.task.events.subscribe({}, { onData, onError })`.
 */
export function createTaskwireClient(options: TaskwireClientOptions): TaskwireClient {
  return createTRPCClient<AppRouter>({ links: taskwireLinks(options) });
}

/** The typed client: one property per router, one per procedure, with `.query()` / `.mutate()`. */
export type TaskwireClient = TRPCClient<AppRouter>;

/** Whether `error` is a failed Taskwire call, with `error.data.code` typed. */
export function isTaskwireError(error: unknown): error is TaskwireClientError {
  return error instanceof TRPCClientError;
}
