import type { Context } from '@taskwire/api';
import { TRPCError } from '@trpc/server';
import type { FastifyRequest } from 'fastify';
import { callProcedureWith } from '../doors/trpc-internals/procedures.js';

/** auth.me, called as the request's procedures are: a token that no longer counts fails it (401, 503). */
const me = async (ctx: Context) => (await callProcedureWith(ctx, 'auth.me', undefined)) as { id: string };

const forbidden = () => new TRPCError({ code: 'FORBIDDEN', message: "The user in the path is not the token's user" });

/**
 * Whose data a signed-in route serves, for the `{user_id}` check and the `user_id` of resources:
 * our own token names its user; an identity provider's token is mapped to its local user through
 * `auth.me`, so that lookup fails (401, 503) the way any procedure does.
 */
export async function signedInUserId(ctx: Context): Promise<string | null> {
  if (!ctx.principal) return null;
  if (ctx.principal.kind === 'local') return ctx.principal.userId;
  return (await me(ctx)).id;
}

/**
 * Whether `{user_id}` names the caller: `me`, their id (in any letter case, as UUIDs are), or, for
 * an identity provider's token, the provider's own id for them (its `sub`), which is the only id a
 * frontend signed in there knows.
 */
function namesCaller(pathUser: string, userId: string, principal: Context['principal']): boolean {
  if (pathUser === 'me' || pathUser.toLowerCase() === userId.toLowerCase()) return true;
  return principal?.kind === 'external' && pathUser === principal.subject;
}

/**
 * Without a token the procedure answers 401; with one, a foreign `{user_id}` is 403 (the seed
 * spec's rule), once auth.me has confirmed the token still counts (a revoked one is 401).
 */
export async function ensurePathNamesCaller(req: FastifyRequest, ctx: Context, userId: string | null): Promise<void> {
  const pathUser = (req.params as { user_id?: string }).user_id;
  if (userId && pathUser !== undefined && !namesCaller(pathUser, userId, ctx.principal)) {
    await me(ctx);
    throw forbidden();
  }
}
