import { AsyncLocalStorage } from 'node:async_hooks';

// The request a piece of work belongs to, for an error raised before the request has a context
// (a malformed batch, say): its error shape still names the request id the response carries.

const scope = new AsyncLocalStorage<string>();

/** Runs `work` as part of the request `requestId`. */
export function runInRequest<T>(requestId: string, work: () => T): T {
  return scope.run(requestId, work);
}

/** The id of the request the current work belongs to, if a transport said so. */
export function currentRequestId(): string | null {
  return scope.getStore() ?? null;
}
