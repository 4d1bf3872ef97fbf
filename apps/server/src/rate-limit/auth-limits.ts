import type { AuthLimits, LimitDecision } from '@taskwire/api';
import type { FastifyBaseLogger } from 'fastify';
import { logThrottle } from './log-throttle.js';
import { type RateLimitStore, secondsUntil, type WindowCount } from './store.js';

export interface AuthLimitSettings {
  /** Sign-in, sign-up and refresh calls per client address and minute (a burst limit). */
  attemptsPerIpPerMinute: number;
  /** Wrong passwords per account and hour, whatever the address (OWASP ASVS: at most 100). */
  failuresPerAccountPerHour: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * The counters behind the API's auth limits. Unlike the global limit they fail closed: while the
 * store is unreachable the decision is "unavailable", and the API refuses the sign-in.
 */
export function createAuthLimits(
  store: RateLimitStore,
  settings: AuthLimitSettings,
  log: FastifyBaseLogger,
): AuthLimits {
  const mayLog = logThrottle();
  function unavailable(error: unknown): LimitDecision {
    if (mayLog()) log.error({ err: error }, 'rate-limit store unavailable: refusing sign-ins until it is back');
    return { allowed: false, reason: 'unavailable' };
  }

  /** Adds `cost` to `key`'s window and asks `within` whether the counts still allow the call. */
  async function decide(
    key: string,
    cost: number,
    windowMs: number,
    within: (window: WindowCount) => boolean,
  ): Promise<LimitDecision> {
    try {
      const window = await store.hit(key, cost, windowMs);
      return within(window)
        ? { allowed: true }
        : { allowed: false, reason: 'limited', retryAfterSeconds: secondsUntil(window.resetAt) };
    } catch (error) {
      return unavailable(error);
    }
  }

  /** Takes back one counted attempt (best effort: if the store is down, the failure stays counted). */
  async function giveBack(account: string): Promise<void> {
    await decide(`auth-fail:${account}`, -1, HOUR_MS, () => true);
  }

  return {
    attempt: (ip) => decide(`auth-ip:${ip}`, 1, MINUTE_MS, ({ count }) => count <= settings.attemptsPerIpPerMinute),

    // This hour's and the last hour's failures together: then no sliding hour ever holds more than
    // the limit, which a single fixed window would allow twice over across its edge.
    async reserveAccountAttempt(account) {
      const decision = await decide(
        `auth-fail:${account}`,
        1,
        HOUR_MS,
        ({ count, previousCount }) => count + previousCount <= settings.failuresPerAccountPerHour,
      );
      // A refused attempt guessed nothing: take it back, so hammering a locked account does not
      // keep it locked past the hour.
      if (!decision.allowed && decision.reason === 'limited') await giveBack(account);
      return decision;
    },

    releaseAccountAttempt: giveBack,
  };
}
