import type { AuthLimits, LimitDecision } from '@taskwire/api';
import type { FastifyBaseLogger } from 'fastify';
import type { RateLimitStore } from './store.js';

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
  let lastWarning = 0;
  function unavailable(error: unknown): LimitDecision {
    if (Date.now() - lastWarning > 10_000) {
      lastWarning = Date.now();
      log.error({ err: error }, 'rate-limit store unavailable: refusing sign-ins until it is back');
    }
    return { allowed: false, reason: 'unavailable' };
  }
  const retryAfter = (resetAt: number) => Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));

  return {
    async attempt(ip) {
      try {
        const { count, resetAt } = await store.hit(`auth-ip:${ip}`, 1, MINUTE_MS);
        return count <= settings.attemptsPerIpPerMinute
          ? { allowed: true }
          : { allowed: false, reason: 'limited', retryAfterSeconds: retryAfter(resetAt) };
      } catch (error) {
        return unavailable(error);
      }
    },

    async checkAccount(account) {
      try {
        // This hour's and the last hour's failures together: then no sliding hour ever holds more
        // than the limit, which a single fixed window would allow twice over across its edge.
        const { count, previousCount, resetAt } = await store.hit(`auth-fail:${account}`, 0, HOUR_MS);
        return count + previousCount < settings.failuresPerAccountPerHour
          ? { allowed: true }
          : { allowed: false, reason: 'limited', retryAfterSeconds: retryAfter(resetAt) };
      } catch (error) {
        return unavailable(error);
      }
    },

    async recordFailure(account) {
      try {
        await store.hit(`auth-fail:${account}`, 1, HOUR_MS);
      } catch (error) {
        unavailable(error);
      }
    },
  };
}
