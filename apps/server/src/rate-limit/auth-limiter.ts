import type { AccountAttempt, AuthLimits, LimitDecision } from '@taskwire/api';
import type { FastifyBaseLogger } from 'fastify';
import { logThrottle } from './log-throttle.js';
import { type RateLimitStore, secondsUntil } from './store.js';

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
export function createAuthLimiter(
  store: RateLimitStore,
  settings: AuthLimitSettings,
  log: FastifyBaseLogger,
  now: () => number = Date.now,
): AuthLimits {
  const mayLog = logThrottle();
  function unavailable(error: unknown): { allowed: false; reason: 'unavailable' } {
    if (mayLog()) log.error({ err: error }, 'rate-limit store unavailable: refusing sign-ins until it is back');
    return { allowed: false, reason: 'unavailable' };
  }

  return {
    async attempt(ip): Promise<LimitDecision> {
      try {
        const window = await store.hit(`auth-ip:${ip}`, 1, MINUTE_MS);
        if (window.count <= settings.attemptsPerIpPerMinute) return { allowed: true };
        return { allowed: false, reason: 'limited', retryAfterSeconds: secondsUntil(window.resetAt, now()) };
      } catch (error) {
        return unavailable(error);
      }
    },

    // This hour's and the last hour's failures together: then no sliding hour ever holds more than
    // the limit, which a single fixed window would allow twice over across its edge. The check and
    // the count are one atomic step in the store; a refused attempt is not counted.
    async reserveAccountAttempt(account): Promise<AccountAttempt> {
      const key = `auth-fail:${account}`;
      try {
        const window = await store.hitWithin(key, HOUR_MS, settings.failuresPerAccountPerHour);
        if (!window.counted) {
          // When this hour ends, its count becomes the "last hour" that is added in: if it alone
          // has reached the limit, attempts are let through again only an hour after that.
          const retryAt = window.count < settings.failuresPerAccountPerHour ? window.resetAt : window.resetAt + HOUR_MS;
          return { allowed: false, reason: 'limited', retryAfterSeconds: secondsUntil(retryAt, now()) };
        }
        // From the window it went to, even if the hour has turned since.
        const release = () => store.unhit(key, window.index).catch(() => {});
        return { allowed: true, release };
      } catch (error) {
        return unavailable(error);
      }
    },
  };
}
