import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hold a slot for the rest restAfter asks after each piece of work, and hand it on at once without one', async () => {
    // On a fake clock: the rest is a timer, and restAfter is told how long the work took.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    let restMs = 0;
    const worked: number[] = [];
    const slots = createFairSlots(1, {
      restAfter: (workMs) => {
        worked.push(workMs);
        return restMs;
      },
    });
    /** 'a' works 40 ms while 'b' waits for the slot; then whether b has started. */
    const next = async () => {
      let started = false;
      const running = slots.run('a', () => new Promise<void>((done) => setTimeout(done, 40)));
      const waiting = slots.run('b', async () => {
        started = true;
      });
      await vi.advanceTimersByTimeAsync(40);
      await running;
      return { started: () => started, waiting };
    };

    // No rest: the slot passes to the waiting holder as the first work ends.
    const immediate = await next();
    expect(immediate.started()).toBe(true);
    await immediate.waiting;
    expect(worked).toEqual([40, 0]);

    // A rest of 150 ms: the waiting holder starts when it is over, not a moment sooner.
    restMs = 150;
    const rested = await next();
    expect(rested.started()).toBe(false);
    await vi.advanceTimersByTimeAsync(149);
    expect(rested.started()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(rested.started()).toBe(true);
    await rested.waiting;
    expect(worked).toEqual([40, 0, 40, 0]);
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

describe('a newcomer among busy holders', () => {
  /** Once the microtasks queued so far have run: a freed slot has gone to its next holder. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('waits behind at most one piece of work per busy holder (none of a backlog of two or more)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
        fc.nat({ max: 8 }),
        async (slotCount, backlogs, finishedFirst) => {
          const slots = createFairSlots(slotCount);
          const started: string[] = [];
          const running: (() => void)[] = [];
          const job = (holder: string) =>
            slots.run(
              holder,
              () =>
                new Promise<void>((finish) => {
                  started.push(holder);
                  running.push(finish);
                }),
            );
          const finishOldest = async () => {
            running.shift()?.();
            await settle();
          };
          const all = backlogs.flatMap((count, h) => Array.from({ length: count }, () => job(`busy-${h}`)));
          await settle();
          for (let i = 0; i < finishedFirst && running.length > 0; i++) await finishOldest();

          // Ahead of the newcomer: what runs when it arrives, and whatever starts before it.
          const waitingAtArrival = backlogs.map((count, h) => count - started.filter((s) => s === `busy-${h}`).length);
          const runningAtArrival = started.slice(started.length - running.length);
          const arrivedAt = started.length;
          all.push(job('newcomer'));
          await settle();
          while (!started.includes('newcomer')) {
            expect(running.length, 'nothing runs, yet the newcomer waits').toBeGreaterThan(0);
            await finishOldest();
          }
          const jumpedIn = started.slice(arrivedAt, started.indexOf('newcomer'));
          const ahead = [...runningAtArrival, ...jumpedIn];
          for (const holder of new Set(ahead)) expect(ahead.filter((h) => h === holder)).toHaveLength(1);
          if (waitingAtArrival.every((count) => count === 0 || count >= 2)) expect(jumpedIn).toEqual([]);

          while (running.length > 0) await finishOldest();
          await Promise.all(all);
          expect(slots.waiting).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
