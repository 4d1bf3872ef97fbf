import { isTaskwireError } from '@taskwire/client';

/** A failed call in words a person understands. */
export function describeError(error: unknown, online: boolean = navigator.onLine): string {
  if (!online) return 'You are offline. Changes will work again once you reconnect.';
  if (!isTaskwireError(error)) return 'Something went wrong. Please try again.';
  const data = error.data;
  switch (data?.code) {
    case 'TOO_MANY_REQUESTS': {
      const seconds = /(\d+) s/.exec(error.message)?.[1];
      return seconds
        ? `Too many requests. Try again in ${seconds} seconds.`
        : 'Too many requests. Try again in a minute.';
    }
    case 'UNAUTHORIZED':
      return error.message === 'Invalid email or password'
        ? error.message
        : 'Your session ended. Please sign in again.';
    case 'BAD_REQUEST':
    case 'CONFLICT':
    case 'FORBIDDEN':
    case 'NOT_FOUND':
    case 'PAYLOAD_TOO_LARGE':
      return error.message;
    case 'SERVICE_UNAVAILABLE':
      return 'The service is busy or restarting. Try again in a moment.';
    default:
      return error.message && !/internal/i.test(error.message)
        ? error.message
        : 'Something went wrong on our side. Please try again.';
  }
}
