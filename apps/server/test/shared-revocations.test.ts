import type { AccessCache } from '@taskwire/api';
import { describe, expect, it } from 'vitest';
import { shareRevocations } from '../src/shared-revocations.js';

/** A local access cache that only records whom it was told to forget. */
function recordingCache(): AccessCache & { forgotten: string[] } {
  const forgotten: string[] = [];
  return {
    forgotten,
    resolve: async () => null,
    forgetUser: (userId) => {
      forgotten.push(userId);
    },
  };
}

async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

describe('shared revocations', () => {
  it('still forget locally while Redis is unreachable, and report the failed publish', async () => {
    const local = recordingCache();
    const errors: Error[] = [];
    const shared = shareRevocations(local, 'redis://127.0.0.1:1', (error) => errors.push(error));
    expect(await shared.connected(300)).toBe(false);
    expect(() => shared.access.forgetUser('user-1')).not.toThrow();
    expect(local.forgotten).toEqual(['user-1']);
    expect(await eventually(() => errors.some((error) => /enableOfflineQueue/.test(error.message)), 1_000)).toBe(true);
    await shared.close();
  });

  it.runIf(process.env.TEST_REDIS_URL)('reach every instance on the same Redis', async () => {
    const url = process.env.TEST_REDIS_URL ?? '';
    const [localA, localB] = [recordingCache(), recordingCache()];
    const [a, b] = [shareRevocations(localA, url, () => {}), shareRevocations(localB, url, () => {})];
    try {
      expect([await a.connected(5_000), await b.connected(5_000)]).toEqual([true, true]);
      const userId = crypto.randomUUID();
      a.access.forgetUser(userId);
      expect(localA.forgotten[0]).toBe(userId);
      expect(await eventually(() => localB.forgotten.includes(userId), 1_000)).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
