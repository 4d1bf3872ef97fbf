import { TRPCError } from '@trpc/server';
import { protectedProcedure, publicProcedure, router } from '../trpc.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { findCredentialsByEmail, findUserById, insertUser, updateTimezone } from './queries.js';
import { type AuthResult, credentialsInput, signInInput, type User, updateProfileInput } from './schemas.js';
import type { TokenService } from './tokens.js';

async function authResult(tokens: TokenService, user: User): Promise<AuthResult> {
  const { token, expiresIn } = await tokens.signAccessToken(user.id);
  return { user, accessToken: token, expiresIn };
}

export const authRouter = router({
  signUp: publicProcedure.input(credentialsInput).mutation(async ({ ctx, input }) => {
    const user = await insertUser(ctx.db, input.email, await hashPassword(input.password));
    if (!user) throw new TRPCError({ code: 'CONFLICT', message: 'An account with this email already exists' });
    ctx.log.info({ userId: user.id }, 'user signed up');
    return authResult(ctx.tokens, user);
  }),

  signIn: publicProcedure.input(signInInput).mutation(async ({ ctx, input }) => {
    const found = await findCredentialsByEmail(ctx.db, input.email);
    // Same work and the same answer for an unknown email and a wrong password.
    const valid = await verifyPassword(found?.passwordHash, input.password);
    if (!found || !valid) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid email or password' });
    return authResult(ctx.tokens, found.user);
  }),

  me: protectedProcedure.query(async ({ ctx }) => {
    const user = await findUserById(ctx.db, ctx.user.id);
    // A valid token for an account that no longer exists.
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in required' });
    return user;
  }),

  /** Changes profile settings; today the time zone that recurrences and "due today" use. */
  updateProfile: protectedProcedure.input(updateProfileInput).mutation(async ({ ctx, input }) => {
    const user = await updateTimezone(ctx.db, ctx.user.id, input.timezone);
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in required' });
    return user;
  }),
});
