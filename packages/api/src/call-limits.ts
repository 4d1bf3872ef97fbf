import type { Principal, ResolvedUser } from './auth/access.js';
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

/** What a request is charged to the global limit. */
export interface CallCharges {
  /** The request's own calls, once per request, whichever of them asks first: a batch is allowed or refused whole. */
  once(): Promise<void>;
  /** `calls` more, each time it is asked (work whose size shows late, such as a replay); none when 0. */
  more(calls: number): Promise<void>;
}

/**
 * Charges a request's calls through the limiter. Only a token that still counts is charged to its
 * user: a signed-out session's token, though its signature is valid, is charged to the address,
 * so it cannot spend its owner's limit.
 */
export function callCharges(options: ChargeOptions): CallCharges {
  let key: Promise<string> | undefined;
  const keyOf = async () => {
    const { principal } = options;
    const live = principal ? await options.resolve() : null;
    // One budget per account, whichever of its tokens calls.
    return principal && live ? `user:${live.userId}` : `ip:${options.ip ?? 'unknown'}`;
  };
  const consume = async (calls: number) => {
    if (!options.limiter) return;
    key ??= keyOf();
    const decision = await options.limiter.consume(await key, calls);
    if (!decision.allowed) throw rateLimitedError(decision.retryAfterSeconds);
  };
  let charged: Promise<void> | undefined;
  return {
    once: () => {
      charged ??= consume(Math.max(1, options.calls));
      return charged;
    },
    more: async (calls) => {
      if (calls > 0) await consume(calls);
    },
  };
}
