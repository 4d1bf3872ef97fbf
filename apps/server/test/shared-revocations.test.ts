import type { AccessCache } from '@taskwire/api';
import { describe, expect, it } from 'vitest';
import { shareRevocations } from '../src/config/shared-revocations.js';
import { eventually } from './harness.js';
import { tcpProxy } from './tcp-proxy.js';

/** A local access cache that only records whom it was told to forget. */
function recordingCache(): AccessCache & { forgotten: string[]; forgotAll: number } {
  const cache = {
    forgotten: [] as string[],
    forgotAll: 0,
    resolve: async () => null,
    forgetUser: (userId: string) => {
      cache.forgotten.push(userId);
    },
    forgetAll: () => {
      cache.forgotAll++;
    },
  };
  return cache;
}

describe('shared revocations', () => {
  it('still forget locally while Redis is unreachable, and report the failed publish', async () => {
    const local = recordingCache();
    const errors: Error[] = [];
    const shared = shareRevocations(local, 'redis://127.0.0.1:1', (error) => errors.push(error));
    expect(await shared.connected(300)).toBe(false);
    expect(() => shared.access.forgetUser('user-1')).not.toThrow();
    expect(local.forgotten).toEqual(['user-1']);
    expect(await eventually(() => errors.some((error) => /enableOfflineQueue/.test(error.message)), 10_000)).toBe(true);
    await shared.close();
  });

  it.runIf(process.env.TEST_REDIS_URL)('reach every instance on the same Redis [needs TEST_REDIS_URL]', async () => {
    const url = process.env.TEST_REDIS_URL ?? '';
    const [localA, localB] = [recordingCache(), recordingCache()];
    const [a, b] = [shareRevocations(localA, url, () => {}), shareRevocations(localB, url, () => {})];
    try {
      expect([await a.connected(5_000), await b.connected(5_000)]).toEqual([true, true]);
      const userId = crypto.randomUUID();
      a.access.forgetUser(userId);
      expect(localA.forgotten[0]).toBe(userId);
      expect(await eventually(() => localB.forgotten.includes(userId), 10_000)).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it.runIf(process.env.TEST_REDIS_URL)(
    'forget every user after a reconnect, as revocations sent meanwhile were missed, and listen again [needs TEST_REDIS_URL]',
    async () => {
      const url = process.env.TEST_REDIS_URL ?? '';
      const proxy = await tcpProxy(Number(new URL(url).port || 6379));
      const local = recordingCache();
      const shared = shareRevocations(local, `redis://127.0.0.1:${proxy.port}`, () => {});
      const other = shareRevocations(recordingCache(), url, () => {});
      try {
        expect([await shared.connected(5_000), await other.connected(5_000)]).toEqual([true, true]);
        expect(local.forgotAll).toBe(0);
        proxy.dropConnections();
        expect(await eventually(() => local.forgotAll >= 1, 5_000)).toBe(true);
        // Subscribed again: a revocation on the other instance arrives (sent until it does, as the
        // SUBSCRIBE may still be on its way).
        const userId = crypto.randomUUID();
        const heard = await eventually(() => {
          other.access.forgetUser(userId);
          return local.forgotten.includes(userId);
        }, 5_000);
        expect(heard).toBe(true);
      } finally {
        await shared.close();
        await other.close();
        proxy.close();
      }
    },
  );
});
