import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import { quantile } from '../stats.js';
import { timed } from './http.js';

// /healthz and /readyz while the database runs a long statement, once asserted by
// apps/server/test/busy-database.test.ts (≤ 100 ms; now proved there by the order of events),
// against the same probes with the database idle.

async function probe(url: string, count: number) {
  const health: number[] = [];
  const ready: number[] = [];
  for (let i = 0; i < count; i++) {
    health.push(await timed(() => fetch(`${url}/healthz`).then((response) => response.arrayBuffer())));
    ready.push(await timed(() => fetch(`${url}/readyz`).then((response) => response.arrayBuffer())));
  }
  return { health, ready };
}

/** Probe latencies (p50 and max, ms) idle and during a 3 s statement, `count` of each. */
export async function probesDuringStatement(url: string, db: Db, count: number) {
  const idle = await probe(url, count);
  let running = true;
  const slow = sql`select pg_sleep(3)`.execute(db).finally(() => {
    running = false;
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const busy = await probe(url, count);
  const stillRunning = running;
  await slow;
  const summary = (values: number[]) => ({ p50: quantile(values, 0.5), max: Math.max(...values) });
  return {
    idle: { health: summary(idle.health), ready: summary(idle.ready) },
    busy: { health: summary(busy.health), ready: summary(busy.ready) },
    /** False when the probes outlasted the statement (then "busy" understates the case). */
    stillRunning,
  };
}
