import { type Principal, principalKey, type ResolvedUser } from './auth/access.js';
import { rateLimitedError } from './errors.js';

// The global limit on procedure calls, per user (per address when the caller is anonymous). It is
// a tRPC middleware, beside the auth limits, so every door (tRPC, REST, MCP) counts the same way.

export interface CallLimitDecision {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

/** The counters behind the global limit; the host supplies them (memory or Redis). */
export interface CallLimiter {
  /** Counts `cost` procedure calls against `key`. */
  consume(key: string, cost: number): Promise<CallLimitDecision>;
}

interface ChargeOptions {
  limiter: CallLimiter | undefined;
  principal: Principal | null;
  /** The live user the principal resolves to, if any (asked only when there is a principal). */
  resolve: () => Promise<ResolvedUser | null>;
  ip: string | null;
  /** Procedure calls in the request: a batch of 20 counts 20. */
  calls: number;
}

/**
 * Charges a request's calls once, whichever of its calls asks first; the others share the answer,
 * so a batch is allowed or refused as a whole. Only a token that still counts is charged to its
 * user: a signed-out session's token, though its signature is valid, is charged to the address,
 * so it cannot spend its owner's limit.
 */
export function chargeCallsOnce(options: ChargeOptions): () => Promise<void> {
  let charged: Promise<void> | undefined;
  const charge = async () => {
    const { limiter, principal } = options;
    if (!limiter) return;
    const live = principal ? await options.resolve() : null;
    const key = principal && live ? principalKey(principal) : `ip:${options.ip ?? 'unknown'}`;
    const decision = await limiter.consume(key, Math.max(1, options.calls));
    if (!decision.allowed) throw rateLimitedError(decision.retryAfterSeconds);
  };
  return () => {
    charged ??= charge();
    return charged;
  };
}
