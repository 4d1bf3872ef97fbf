import type { Db } from '@taskwire/db';
import { sql } from 'kysely';

// Races made deterministic: a test holds a row lock from its own transaction so that a request
// stops at a chosen step, and waits (by asking Postgres, never by the clock) until the requests it
// started are all waiting on locks. Real Postgres only: PGlite is one connection, where a held
// transaction would stop every other query.

/** Whether the test database is real Postgres (several connections, so real races). */
export const onPostgres = process.env.TEST_DATABASE_URL !== undefined;

/** Takes the locks `lock` takes in a transaction of its own; the answer ends that transaction. */
export async function holdLock(db: Db, lock: (trx: Db) => Promise<unknown>): Promise<() => Promise<void>> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let taken = () => {};
  const held = new Promise<void>((resolve) => {
    taken = resolve;
  });
  const done = db.transaction().execute(async (trx) => {
    await lock(trx);
    taken();
    await released;
  });
  await Promise.race([held, done]);
  return async () => {
    release();
    await done;
  };
}

/** Sessions of this database waiting for a lock now. */
async function lockWaiters(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * Resolves once `count` sessions wait for locks, or `settled()` says the request went through
 * without waiting; fails after a generous ceiling (a loaded machine is slow, never wrong).
 */
export async function untilWaiting(db: Db, count: number, settled: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!settled() && (await lockWaiters(db)) < count) {
    if (Date.now() > deadline) throw new Error(`${count} lock waiters never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise's outcome, kept, plus whether it is known yet. */
export function track<T>(promise: Promise<T>) {
  const state = { done: false };
  const outcome = promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  void outcome.then(() => {
    state.done = true;
  });
  return { outcome, settled: () => state.done };
}
