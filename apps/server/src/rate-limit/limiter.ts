import type { CallLimiter } from '@taskwire/api';
import type { FastifyBaseLogger } from 'fastify';
import { logThrottle } from './log-throttle.js';
import { type RateLimitStore, secondsUntil } from './store.js';

/** The counters behind the API's global limit on procedure calls. */
export interface RateLimiter extends CallLimiter {
  close(): Promise<void>;
}

const WINDOW_MS = 60_000;

/**
 * The global limit: `perMinute` procedure calls per key and minute (a batch of 50 counts 50).
 * When the store fails (Redis down) it lets calls through and logs: an outage of the limiter
 * must not become an outage of the API.
 */
export function createRateLimiter(store: RateLimitStore, perMinute: number, log: FastifyBaseLogger): RateLimiter {
  const mayLog = logThrottle();
  return {
    async consume(key, cost) {
      try {
        const { count, resetAt } = await store.hit(key, cost, WINDOW_MS);
        return { allowed: count <= perMinute, retryAfterSeconds: secondsUntil(resetAt) };
      } catch (error) {
        if (mayLog()) log.warn({ err: error }, 'rate-limit store unavailable: letting calls through');
        return { allowed: true, retryAfterSeconds: 0 };
      }
    },
    close: () => store.close(),
  };
}
