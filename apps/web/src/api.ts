import { type AppRouter, createTaskwireClient, type TaskwireClient } from '@taskwire/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { session } from './session';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** The typed client on this origin: tokens from the session, refreshed (and stored) when they expire. */
export function createApiClient(): TaskwireClient {
  return createTaskwireClient({
    url: `${window.location.origin}/trpc`,
    token: () => session.get()?.accessToken,
    refreshToken: () => session.get()?.refreshToken,
    onTokens: (tokens) => session.refreshed(tokens),
  });
}
