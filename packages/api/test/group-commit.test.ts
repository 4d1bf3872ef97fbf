import { describe, expect, it } from 'vitest';
import { groupCommit } from '../src/webhooks/group-commit.js';

/** A write that resolves when the test says so, recording each batch it was given. */
function controlledWrite() {
  const batches: number[][] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      pending.push({ resolve, reject });
    });
  return { batches, pending, write };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('groupCommit', () => {
  it('writes the first item at once, and what arrives meanwhile in one next write', async () => {
    const { batches, pending, write } = controlledWrite();
    const record = groupCommit(write);
    const done: number[] = [];
    const first = record(1).then(() => done.push(1));
    expect(batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => record(n).then(() => done.push(n)));
    await settled();
    expect(batches).toEqual([[1]]);
    pending[0]?.resolve();
    await first;
    await settled();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    expect(done).toEqual([1]);
    pending[1]?.resolve();
    await Promise.all(rest);
    expect(done).toEqual([1, 2, 3, 4]);
  });

  it('fails only the callers whose write failed, and keeps writing', async () => {
    const { batches, pending, write } = controlledWrite();
    const record = groupCommit(write);
    const first = record(1);
    const second = record(2);
    pending[0]?.reject(new Error('deadlock'));
    await expect(first).rejects.toThrow('deadlock');
    await settled();
    pending[1]?.resolve();
    await expect(second).resolves.toBeUndefined();
    expect(batches).toEqual([[1], [2]]);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const { batches, pending, write } = controlledWrite();
    const record = groupCommit(write, 2);
    const all = [1, 2, 3, 4, 5].map((n) => record(n));
    for (let i = 0; i < 3; i++) {
      await settled();
      pending[i]?.resolve();
    }
    await Promise.all(all);
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });
});
