import { createHash } from 'node:crypto';
import { rateLimitedError, unavailableError } from '../errors.js';

// Limits on the procedures that guess or mint credentials. They live in the API, not in a
// transport, so the tRPC and REST doors share them, and so they can count *failed* sign-ins per
// account, which only the procedure knows. The host supplies the counters (memory or Redis).

/** Allowed, limited (retry after), or unknown because the counters are unreachable. */
export type LimitDecision =
  | { allowed: true }
  | { allowed: false; reason: 'limited'; retryAfterSeconds: number }
  | { allowed: false; reason: 'unavailable' };

/** A counted attempt on an account, or the reason it was refused. */
export type AccountAttempt = { allowed: true; release(): Promise<void> } | Exclude<LimitDecision, { allowed: true }>;

export interface AuthLimits {
  /** Counts one sign-in, sign-up or refresh from this address (a short burst limit). */
  attempt(ip: string): Promise<LimitDecision>;
  /**
   * Counts an attempt that may fail against an account (a password, say) *before* it is checked,
   * atomically and only while the account's failures in the last hour are under the limit, so
   * that parallel attempts (a batch, many addresses) cannot all pass one check. Refused: not
   * counted. Allowed: `release()` takes it back if the attempt succeeded.
   */
  reserveAccountAttempt(account: string): Promise<AccountAttempt>;
}

/** What the limits read of a request's context: callers pass ctx, and context.ts need not be imported here. */
export interface LimitedRequest {
  authLimits: AuthLimits | null;
  ip: string | null;
}

/** The account's key for the counters: a hash, so no email address is stored in Redis. */
export function accountKey(emailOrUserId: string): string {
  return createHash('sha256').update(emailOrUserId).digest('base64url').slice(0, 22);
}

function refuse(decision: Exclude<LimitDecision, { allowed: true }>): never {
  // Fail closed: without counters, a brute force could not be stopped, so refuse rather than guess.
  if (decision.reason === 'unavailable') {
    throw unavailableError('Sign-in is temporarily unavailable; retry shortly');
  }
  throw rateLimitedError(decision.retryAfterSeconds, 'Too many attempts; retry later');
}

/** Throws TOO_MANY_REQUESTS when this address has made too many credential calls. */
export async function limitAttempt(ctx: LimitedRequest): Promise<void> {
  if (!ctx.authLimits) return;
  const decision = await ctx.authLimits.attempt(ctx.ip ?? 'unknown');
  if (!decision.allowed) refuse(decision);
}

/**
 * Runs an attempt on an account under its failure limit, whatever the address. Throws
 * TOO_MANY_REQUESTS at the limit; else runs `attempt`, whose `null` means it failed, and counts a
 * failure unless it succeeded. Counting before the (slow) attempt keeps parallel ones in bounds.
 */
export async function limitAccountAttempt<T>(
  ctx: LimitedRequest,
  account: string,
  attempt: () => Promise<T | null>,
): Promise<T | null> {
  if (!ctx.authLimits) return attempt();
  const reserved = await ctx.authLimits.reserveAccountAttempt(accountKey(account));
  if (!reserved.allowed) refuse(reserved);
  const result = await attempt();
  if (result !== null) await reserved.release();
  return result;
}

/**
 * Counts a failure that happened without a password check against the account (a sign-up with a
 * taken email probes which accounts exist), or throws TOO_MANY_REQUESTS at the limit.
 */
export async function countAccountFailure(ctx: LimitedRequest, account: string): Promise<void> {
  await limitAccountAttempt(ctx, account, async () => null);
}
