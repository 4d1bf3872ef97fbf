import { describe, expect, it } from 'vitest';
import { createFairSlots } from '../src/auth/fair-slots.js';

/** Work that runs until the test lets it finish. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, done };
}

describe('fair slots for password hashing', () => {
  it('never give one holder two slots, and serve a newcomer before a busy holder’s backlog', async () => {
    const slots = createFairSlots(2);
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const job = (holder: string, name: string) =>
      slots.run(holder, async () => {
        started.push(name);
        const g = gate();
        gates.set(name, g);
        await g.done;
      });
    const finish = async (name: string) => {
      gates.get(name)?.open();
      await new Promise((resolve) => setTimeout(resolve, 0));
    };

    const all = [
      ...Array.from({ length: 5 }, (_, i) => job('hostile-a', `a${i}`)),
      ...Array.from({ length: 5 }, (_, i) => job('hostile-b', `b${i}`)),
    ];
    await new Promise((resolve) => setTimeout(resolve, 0));
    // One slot each, although each sent five.
    expect(started).toEqual(['a0', 'b0']);
    all.push(job('victim', 'v0'));
    await finish('a0');
    // The victim, never served, gets the freed slot before a's and b's backlog.
    expect(started).toEqual(['a0', 'b0', 'v0']);
    await finish('b0');
    await finish('v0');
    expect(started.slice(3).sort()).toEqual(['a1', 'b1']);
    for (let i = 1; i < 5; i++) {
      await finish(`a${i}`);
      await finish(`b${i}`);
    }
    await Promise.all(all);
    expect(started).toHaveLength(11);
    expect(slots.waiting).toBe(0);
  });

  it('frees the slot when the work fails', async () => {
    const slots = createFairSlots(1);
    await expect(slots.run('x', async () => Promise.reject(new Error('argon2 failed')))).rejects.toThrow('argon2');
    expect(await slots.run('x', async () => 'next')).toBe('next');
  });
});

describe('resting slots', () => {
  it('hold a slot for the rest restAfter asks after each piece of work, and hand it on at once without one', async () => {
    let restMs = 0;
    const slots = createFairSlots(1, { restAfter: () => restMs });
    const next = async () => {
      let started = false;
      const first = gate();
      const running = slots.run('a', () => first.done);
      const waiting = slots.run('b', async () => {
        started = true;
      });
      first.open();
      await running;
      return { started: () => started, waiting };
    };

    // No rest: the slot passes to the waiting holder as the first work ends.
    const immediate = await next();
    expect(immediate.started()).toBe(true);
    await immediate.waiting;

    // A rest of 150 ms: the waiting holder starts no sooner (timers never fire early).
    restMs = 150;
    const ended = performance.now();
    const rested = await next();
    expect(rested.started()).toBe(false);
    await rested.waiting;
    expect(performance.now() - ended).toBeGreaterThanOrEqual(145);
  });
});

describe('a light holder among busy ones', () => {
  it('goes next, before one piece of work of each busy holder in turn', async () => {
    const slots = createFairSlots(1);
    const order: string[] = [];
    const first = gate();
    const all = [slots.run('busy-0', () => first.done)];
    for (let round = 0; round < 5; round++) {
      for (const holder of ['busy-1', 'busy-2', 'busy-3']) {
        all.push(slots.run(holder, async () => void order.push(holder)));
      }
    }
    all.push(slots.run('victim', async () => void order.push('victim')));
    first.open();
    await Promise.all(all);
    expect(order[0]).toBe('victim');
    expect(order).toHaveLength(16);
  });
});
