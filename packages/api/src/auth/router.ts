import { inTransaction } from '@taskwire/db';
import { z } from 'zod';
import type { Context } from '../context.js';
import {
  accessTokenRefused,
  conflictError,
  forbiddenError,
  notFoundError,
  refreshRefused,
  wrongCredentials,
} from '../errors.js';
import { idOutput } from '../id-output.js';
import { output } from '../outputs.js';
import { accountProcedure, protectedProcedure, publicProcedure, router } from '../trpc.js';
import { countAccountFailure, limitAccountAttempt, limitAttempt } from './auth-limits.js';
import { hashPassword, verifyPassword } from './passwords.js';
import {
  deleteUser,
  findCredentialsByEmail,
  findCredentialsById,
  findUserById,
  insertUser,
  refuseTokensIssuedBefore,
  updatePasswordHash,
  updateTimezone,
} from './queries.js';
import {
  type AuthResult,
  accountDeletedOutput,
  authResultSchema,
  changePasswordInput,
  credentialsInput,
  deleteAccountInput,
  endedSessionsOutput,
  refreshInput,
  sessionIdInput,
  sessionSchema,
  signedOutOutput,
  signInInput,
  type User,
  updateProfileInput,
  userSchema,
} from './schemas.js';
import { endAllSessions, endSession, listSessions, rotateRefreshToken, startSession } from './sessions.js';

type SignedInContext = Context & { user: { id: string } };

/** Tokens for a user who just proved who they are: a new session and its first refresh token. */
async function signedIn(ctx: Context, user: User): Promise<AuthResult> {
  const { sessionId, refreshToken, ended } = await startSession(ctx.db, user.id, sessionInfo(ctx), ctx.quotas.sessions);
  // The sessions past the quota ended: their access tokens stop working now, not at their expiry.
  if (ended > 0) ctx.access.forgetUser(user.id);
  const { token, expiresIn } = await ctx.tokens.signAccessToken(user.id, sessionId);
  return { user, accessToken: token, expiresIn, refreshToken };
}

const sessionInfo = (ctx: Context) => ({ userAgent: ctx.userAgent, ip: ctx.ip, now: ctx.now() });

/** Accounts without a password may delete themselves with a token this fresh. */
const RECENT_SIGN_IN_SECONDS = 300;

type Account = NonNullable<Awaited<ReturnType<typeof findCredentialsById>>>;

async function findAccount(ctx: SignedInContext): Promise<Account> {
  const account = await findCredentialsById(ctx.db, ctx.user.id);
  if (!account) throw accessTokenRefused();
  return account;
}

/**
 * Asks a signed-in user for their password again before a change a stolen token must not make.
 * Like sign-in, each attempt counts against the address's limit, and wrong answers against the
 * account's failed sign-ins, before any hashing.
 */
async function confirmPassword(ctx: SignedInContext, account: Account, password: string | undefined): Promise<void> {
  if (account.passwordHash === null) throw forbiddenError('This account signs in through an identity provider');
  await limitAttempt(ctx);
  const counter = account.email ?? ctx.user.id;
  const { passwordHash } = account;
  const right = await limitAccountAttempt(ctx, counter, async () =>
    password !== undefined && (await verifyPassword(passwordHash, password, ctx.user.id)) ? true : null,
  );
  if (!right) throw forbiddenError('The password is incorrect');
}

/** Every token the user holds stops working in this process now, in others within the access cache's TTL. */
function revokedTokens(ctx: SignedInContext): void {
  ctx.access.forgetUser(ctx.user.id);
}

export const authRouter = router({
  signUp: publicProcedure
    .input(credentialsInput)
    .output(output(authResultSchema))
    .mutation(async ({ ctx, input }) => {
      await limitAttempt(ctx);
      // A taken email is refused before any hashing and counts as a failure on that account (it
      // probes which accounts exist); a free one costs one hash and counts nothing, so nobody can
      // keep an address from signing up by guessing at it first.
      const taken = async () => {
        await countAccountFailure(ctx, input.email);
        return conflictError('An account with this email already exists');
      };
      if (await findCredentialsByEmail(ctx.db, input.email)) throw await taken();
      const user = await insertUser(ctx.db, input.email, await hashPassword(input.password, input.email));
      // Taken meanwhile, by a sign-up running at the same moment.
      if (!user) throw await taken();
      ctx.log.info({ userId: user.id }, 'user signed up');
      return signedIn(ctx, user);
    }),

  signIn: publicProcedure
    .input(signInInput)
    .output(output(authResultSchema))
    .mutation(async ({ ctx, input }) => {
      await limitAttempt(ctx);
      // Counted per email whether or not the account exists, so the limit reveals nothing either.
      const found = await limitAccountAttempt(ctx, input.email, async () => {
        const credentials = await findCredentialsByEmail(ctx.db, input.email);
        // Same work and the same answer for an unknown email and a wrong password.
        const valid = await verifyPassword(credentials?.passwordHash ?? undefined, input.password, input.email);
        return valid && credentials ? credentials : null;
      });
      if (!found) throw wrongCredentials();
      return signedIn(ctx, found.user);
    }),

  me: protectedProcedure.output(output(userSchema)).query(async ({ ctx }) => {
    const user = await findUserById(ctx.db, ctx.user.id);
    // Deleted since the access check was cached.
    if (!user) throw accessTokenRefused();
    return user;
  }),

  /** Exchanges a refresh token for new tokens; the old refresh token stops working (rotation). */
  refresh: publicProcedure
    .input(refreshInput)
    .output(output(authResultSchema))
    .mutation(async ({ ctx, input }) => {
      await limitAttempt(ctx);
      const result = await rotateRefreshToken(ctx.db, input.refreshToken, ctx.sessions, sessionInfo(ctx), {
        onSessionEnded(userId, reason) {
          ctx.access.forgetUser(userId);
          if (reason === 'reused') ctx.log.warn({ requestId: ctx.requestId }, 'refresh token reused: session ended');
        },
      });
      const user = await findUserById(ctx.db, result.userId);
      if (!user) throw refreshRefused();
      const { token, expiresIn } = await ctx.tokens.signAccessToken(user.id, result.sessionId);
      return { user, accessToken: token, expiresIn, refreshToken: result.refreshToken } satisfies AuthResult;
    }),

  /** Ends the session the access token belongs to: its access and refresh tokens stop working. */
  signOut: accountProcedure.output(output(signedOutOutput)).mutation(async ({ ctx }) => {
    if (ctx.sessionId) await endSession(ctx.db, ctx.user.id, ctx.sessionId, ctx.now());
    revokedTokens(ctx);
    return { ok: true as const };
  }),

  /** Ends every session and refuses every access token issued until now, on every device. */
  signOutAll: accountProcedure.output(output(endedSessionsOutput)).mutation(async ({ ctx }) => {
    const now = ctx.now();
    const ended = await inTransaction(ctx.db, async (trx) => {
      await refuseTokensIssuedBefore(trx, ctx.user.id, now);
      return endAllSessions(trx, ctx.user.id, now);
    });
    revokedTokens(ctx);
    ctx.log.info({ userId: ctx.user.id, endedSessions: ended }, 'signed out everywhere');
    return { endedSessions: ended };
  }),

  /** The user's signed-in devices. */
  sessions: accountProcedure
    .output(output(z.array(sessionSchema)))
    .query(({ ctx }) => listSessions(ctx.db, ctx.user.id, ctx.sessionId, ctx.sessions, ctx.now())),

  /** Ends one of the user's sessions (another device). */
  revokeSession: accountProcedure
    .input(sessionIdInput)
    .output(output(idOutput))
    .mutation(async ({ ctx, input }) => {
      if (!(await endSession(ctx.db, ctx.user.id, input.id, ctx.now()))) throw notFoundError('Session');
      revokedTokens(ctx);
      return { id: input.id };
    }),

  /** Sets a new password after checking the current one; every other session ends. */
  changePassword: accountProcedure
    .input(changePasswordInput)
    .output(output(endedSessionsOutput))
    .mutation(async ({ ctx, input }) => {
      await confirmPassword(ctx, await findAccount(ctx), input.currentPassword);
      const passwordHash = await hashPassword(input.newPassword, ctx.user.id);
      const ended = await inTransaction(ctx.db, async (trx) => {
        await updatePasswordHash(trx, ctx.user.id, passwordHash);
        return endAllSessions(trx, ctx.user.id, ctx.now(), ctx.sessionId);
      });
      revokedTokens(ctx);
      ctx.log.info({ userId: ctx.user.id, endedSessions: ended }, 'password changed');
      return { endedSessions: ended };
    }),

  /**
   * Deletes the account and all its data, in one transaction. A password account confirms with its
   * password; an identity provider's account with a token issued in the last five minutes.
   */
  deleteAccount: accountProcedure
    .input(deleteAccountInput)
    .output(output(accountDeletedOutput))
    .mutation(async ({ ctx, input }) => {
      const account = await findAccount(ctx);
      if (account.passwordHash !== null) {
        await confirmPassword(ctx, account, input.password);
      } else if (ctx.now().getTime() / 1000 - (ctx.principal?.issuedAt ?? 0) > RECENT_SIGN_IN_SECONDS) {
        throw forbiddenError('Sign in again, then delete the account within five minutes');
      }
      const { told } = await deleteUser(ctx.db, ctx.user.id, ctx.now());
      for (const userId of told) ctx.caller.alsoTold.add(userId);
      revokedTokens(ctx);
      ctx.log.info({ userId: ctx.user.id }, 'account deleted');
      return { deleted: true as const };
    }),

  /** Changes profile settings; today the time zone that recurrences and "due today" use. */
  updateProfile: accountProcedure
    .input(updateProfileInput)
    .output(output(userSchema))
    .mutation(async ({ ctx, input }) => {
      const user = await updateTimezone(ctx.db, ctx.user.id, input.timezone);
      if (!user) throw accessTokenRefused();
      return user;
    }),
});
