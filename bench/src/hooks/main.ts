// pnpm bench:hooks: webhook delivery under load, on Postgres. 50 accounts each with one webhook
// (49 to healthy receivers on 127.0.0.1, one to an endpoint that never answers), 1 000 task
// changes a second for 30 s (BENCH_HOOKS_SECONDS), each in one account's Inbox, written as the
// API's statements would (100 at a time, each firing the outbox and webhook-queue triggers).
// Two delivery workers (two instances' pools) share the queue. Prints delivery lag (commit →
// arrival) p50 and p99, and lost and duplicated deliveries at the healthy receivers.
// One process: the load, the workers and the receivers share its cores; read the numbers as such.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookWorker, silentLogger } from '@taskwire/api';
import { createDb, migrateToLatest, uuidv7 } from '@taskwire/db';
import { sql } from 'kysely';
import { recreateDatabase } from '../database.js';
import { benchEnv } from '../env.js';
import { quantile } from '../stats.js';

const ACCOUNTS = 50;
const PER_SECOND = 1_000;
const BATCH = 100;
const SECONDS = benchEnv.BENCH_HOOKS_SECONDS;
const DRAIN_MS = 120_000;
const url = benchEnv.BENCH_HOOKS_DATABASE_URL;

const arrivals = new Map<string, number>();
const lags: number[] = [];
let duplicates = 0;

async function receiver(hang: boolean): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (hang) return;
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { data: { title: string } };
      const [, sentAt] = body.data.title.split('@');
      const seen = arrivals.get(body.data.title);
      if (seen === undefined) {
        arrivals.set(body.data.title, Date.now());
        lags.push(Date.now() - Number(sentAt));
      } else duplicates++;
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 1_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function main(): Promise<void> {
  await recreateDatabase(url);
  const db = createDb({ databaseUrl: url, pool: { max: 20 } });
  await migrateToLatest(db);
  const healthy = await receiver(false);
  const dead = await receiver(true);

  const inboxes: { userId: string; projectId: string; dead: boolean }[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const userId = uuidv7();
    await sql`insert into users (id, email, password_hash) values (${userId}, ${`hooks${i}@bench.test`}, 'x')`.execute(
      db,
    );
    const inbox = await db
      .selectFrom('projects')
      .select('id')
      .where('owner_id', '=', userId)
      .where('inbox', '=', true)
      .executeTakeFirstOrThrow();
    const isDead = i === 0;
    await db
      .insertInto('webhooks')
      .values({
        id: uuidv7(),
        user_id: userId,
        project_id: null,
        url: isDead ? dead.url : healthy.url,
        events: ['task.created'],
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        previous_secret: null,
        previous_secret_until: null,
        disabled_reason: null,
      })
      .execute();
    inboxes.push({ userId, projectId: inbox.id, dead: isDead });
  }

  const workers = [0, 1].map(() =>
    createWebhookWorker({ db, log: silentLogger, allowPrivate: true, retryScale: 1, concurrency: 32, pollMs: 100 }),
  );
  for (const worker of workers) worker.start();

  const expected = new Set<string>();
  let sent = 0;
  const started = Date.now();
  console.log(`bench:hooks: ${PER_SECOND} changes/s for ${SECONDS} s to ${ACCOUNTS} webhooks (one dead)…`);
  for (let tick = 0; tick < (SECONDS * PER_SECOND) / BATCH; tick++) {
    const due = started + (tick * BATCH * 1_000) / PER_SECOND;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const rows = Array.from({ length: BATCH }, () => {
      const account = inboxes[sent++ % ACCOUNTS] as (typeof inboxes)[number];
      return { account, id: uuidv7() };
    });
    const now = Date.now();
    const titles = rows.map((row) => `t${row.id}@${now}`);
    await db
      .insertInto('tasks')
      .values(
        rows.map((row, i) => ({
          id: row.id,
          project_id: row.account.projectId,
          created_by: row.account.userId,
          title: titles[i] as string,
          created_at: new Date(now),
          updated_at: new Date(now),
        })),
      )
      .execute();
    rows.forEach((row, i) => {
      if (!row.account.dead) expected.add(titles[i] as string);
    });
  }
  const loadSeconds = (Date.now() - started) / 1_000;
  const drainUntil = Date.now() + DRAIN_MS;
  while ([...expected].some((title) => !arrivals.has(title)) && Date.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const lost = [...expected].filter((title) => !arrivals.has(title)).length;
  console.log(
    JSON.stringify(
      {
        changes: sent,
        loadSeconds: Number(loadSeconds.toFixed(1)),
        achievedPerSecond: Math.round(sent / loadSeconds),
        healthyExpected: expected.size,
        delivered: arrivals.size,
        lost,
        duplicates,
        lagMs: { p50: quantile(lags, 0.5), p99: quantile(lags, 0.99), max: quantile(lags, 1) },
        goals: { p99LagMs: 2_000, lost: 0 },
      },
      null,
      2,
    ),
  );
  await Promise.all(workers.map((worker) => worker.stop()));
  healthy.close();
  dead.close();
  await db.destroy();
}

await main();
