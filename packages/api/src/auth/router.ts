import { TRPCError } from '@trpc/server';
import type { Context } from '../context.js';
import { protectedProcedure, publicProcedure, router } from '../trpc.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { findCredentialsByEmail, findUserById, insertUser, updateTimezone } from './queries.js';
import {
  type AuthResult,
  credentialsInput,
  refreshInput,
  sessionIdInput,
  signInInput,
  type User,
  updateProfileInput,
} from './schemas.js';
import { endSession, listSessions, rotateRefreshToken, startSession } from './sessions.js';

/** Tokens for a user who just proved who they are: a new session and its first refresh token. */
async function signedIn(ctx: Context, user: User): Promise<AuthResult> {
  const { sessionId, refreshToken } = await startSession(ctx.db, user.id, sessionInfo(ctx));
  const { token, expiresIn } = await ctx.tokens.signAccessToken(user.id, sessionId);
  return { user, accessToken: token, expiresIn, refreshToken };
}

const sessionInfo = (ctx: Context) => ({ userAgent: ctx.userAgent, ip: ctx.ip, now: ctx.now() });
const signInRequired = () => new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in required' });

export const authRouter = router({
  signUp: publicProcedure.input(credentialsInput).mutation(async ({ ctx, input }) => {
    const user = await insertUser(ctx.db, input.email, await hashPassword(input.password));
    if (!user) throw new TRPCError({ code: 'CONFLICT', message: 'An account with this email already exists' });
    ctx.log.info({ userId: user.id }, 'user signed up');
    return signedIn(ctx, user);
  }),

  signIn: publicProcedure.input(signInInput).mutation(async ({ ctx, input }) => {
    const found = await findCredentialsByEmail(ctx.db, input.email);
    // Same work and the same answer for an unknown email and a wrong password.
    const valid = await verifyPassword(found?.passwordHash, input.password);
    if (!found || !valid) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid email or password' });
    return signedIn(ctx, found.user);
  }),

  me: protectedProcedure.query(async ({ ctx }) => {
    const user = await findUserById(ctx.db, ctx.user.id);
    // A valid token for an account that no longer exists.
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in required' });
    return user;
  }),

  /** Exchanges a refresh token for new tokens; the old refresh token stops working (rotation). */
  refresh: publicProcedure.input(refreshInput).mutation(async ({ ctx, input }) => {
    const result = await rotateRefreshToken(ctx.db, input.refreshToken, ctx.sessions, sessionInfo(ctx));
    if (!result.ok) {
      if (result.reason === 'reused') ctx.log.warn({ requestId: ctx.requestId }, 'refresh token reused: session ended');
      throw signInRequired();
    }
    const user = await findUserById(ctx.db, result.userId);
    if (!user) throw signInRequired();
    const { token, expiresIn } = await ctx.tokens.signAccessToken(user.id, result.sessionId);
    return { user, accessToken: token, expiresIn, refreshToken: result.refreshToken } satisfies AuthResult;
  }),

  /** Ends the session the access token belongs to: its refresh token stops working. */
  signOut: protectedProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionId) await endSession(ctx.db, ctx.user.id, ctx.sessionId, ctx.now());
    return { ok: true as const };
  }),

  /** The user's signed-in devices. */
  sessions: protectedProcedure.query(({ ctx }) =>
    listSessions(ctx.db, ctx.user.id, ctx.sessionId, ctx.sessions, ctx.now()),
  ),

  /** Ends one of the user's sessions (another device). */
  revokeSession: protectedProcedure.input(sessionIdInput).mutation(async ({ ctx, input }) => {
    if (!(await endSession(ctx.db, ctx.user.id, input.id, ctx.now()))) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'Session not found' });
    }
    return { id: input.id };
  }),

  /** Changes profile settings; today the time zone that recurrences and "due today" use. */
  updateProfile: protectedProcedure.input(updateProfileInput).mutation(async ({ ctx, input }) => {
    const user = await updateTimezone(ctx.db, ctx.user.id, input.timezone);
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in required' });
    return user;
  }),
});
