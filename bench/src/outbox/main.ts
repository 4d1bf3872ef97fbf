// pnpm --filter @taskwire/bench bench:outbox: the outbox red-team scenarios of issue 20 on embedded
// PGlite (in a worker, as the server runs it), through the API's procedures. Prints the longest
// single statement of a tag rename over 3 000 tasks with 9 KB notes, what 30 renames over 300 such
// tasks leave in the account's outbox, and what a resume from lastEventId "0" replays.

import {
  type ApiDeps,
  createCaller,
  createContext,
  createEventHub,
  createLocalEventBus,
  createTokenService,
  silentLogger,
} from '@taskwire/api';
import { createDb, migrateToLatest } from '@taskwire/db';
import { sql } from 'kysely';

// 9 KB of notes that do not compress away (as real notes would not), so Postgres stores them out of line.
const NOTES = Array.from({ length: 1_500 }, (_, i) => ((i * 2_654_435_761) % 1_000_003).toString(36))
  .join(' ')
  .slice(0, 9_000);
const statements: { sql: string; ms: number }[] = [];
let recording = false;
const db = createDb({
  log: (event) => {
    if (recording)
      statements.push({ sql: event.query.sql.trim().replace(/\s+/g, ' ').slice(0, 60), ms: event.queryDurationMillis });
  },
});
await migrateToLatest(db);
const tokens = createTokenService({
  secret: 'bench-secret-that-is-at-least-32-bytes-long',
  issuer: 'bench',
  audience: 'bench',
  accessTokenTtlSeconds: 3_600,
});
const events = createEventHub({ db, bus: createLocalEventBus() });
const deps: ApiDeps = { db, tokens, log: silentLogger, events };
const caller = async (authorization?: string) =>
  createCaller(await createContext(deps, { authorization, requestId: 'bench' }));

async function account(tasks: number) {
  const anonymous = await caller();
  const { accessToken, user } = await anonymous.auth.signUp({
    email: `bench-${tasks}-${Date.now()}@example.com`,
    password: 'bench outbox password',
  });
  const me = await caller(`Bearer ${accessToken}`);
  // Tasks made 100 at a time, each carrying the tag 'bulk'.
  for (let made = 0; made < tasks; made += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, tasks - made) }, (_, i) =>
        me.task.create({ title: `task ${made + i}`, description: NOTES, tags: ['bulk'] }),
      ),
    );
  }
  const [tag] = await me.tag.list();
  if (!tag) throw new Error('no tag');
  return { me, userId: user.id, tagId: tag.id, accessToken };
}

async function outboxOf(userId: string) {
  const { rows } = await sql<{ rows: string; events: string; bytes: string }>`
    select count(*)::text as rows, coalesce(sum(coalesce(cardinality(task_ids), 1)), 0)::text as events,
           coalesce(sum(octet_length(task::text)), 0)::text as bytes
    from task_events where user_id = ${userId}`.execute(db);
  return { rows: Number(rows[0]?.rows), events: Number(rows[0]?.events), mib: Number(rows[0]?.bytes) / 2 ** 20 };
}

async function timed<T>(work: () => Promise<T>) {
  statements.length = 0;
  recording = true;
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  recording = false;
  const longest = statements.reduce((a, b) => (b.ms > a.ms ? b : a), { sql: '', ms: 0 });
  const trims = statements.filter((statement) => statement.sql.startsWith('delete from task_events'));
  const sorted = statements.map((statement) => statement.ms).sort((a, b) => a - b);
  const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
  const longestTrim = Math.max(0, ...trims.map((statement) => statement.ms));
  return { result, ms, longest, p99, count: statements.length, trims: trims.length, longestTrim };
}

const round = (n: number) => Math.round(n * 10) / 10;

// 1. One rename over 3 000 tasks (made through task.create, each trimming the outbox as it goes).
{
  const setup = await timed(() => account(3_000));
  const { me, tagId, userId } = setup.result;
  const outbox = await outboxOf(userId);
  console.log(
    `3 000 creates with 9 KB notes: ${setup.count} statements, p99 ${round(setup.p99)} ms, longest ${round(setup.longest.ms)} ms (${setup.longest.sql}…); ${setup.trims} trim deletes, longest ${round(setup.longestTrim)} ms; outbox ${outbox.events} events in ${outbox.rows} rows, ${round(outbox.mib)} MiB of task JSON`,
  );
  for (let i = 0; i < 3; i++) {
    const { ms, longest, count } = await timed(() => me.tag.rename({ id: tagId, name: `bulk-${i}` }));
    console.log(
      `rename over 3 000 tasks: ${round(ms)} ms, ${count} statements, longest ${round(longest.ms)} ms (${longest.sql}…)`,
    );
  }
  const { ms, longest } = await timed(() => me.tag.delete({ id: tagId }));
  console.log(`tag.delete over 3 000 tasks: ${round(ms)} ms, longest ${round(longest.ms)} ms (${longest.sql}…)`);
}

// 2. 30 renames over 300 tasks; then a resume from "0".
{
  const { me, userId, tagId, accessToken } = await account(300);
  const { ms } = await timed(async () => {
    for (let i = 0; i < 30; i++) await me.tag.rename({ id: tagId, name: `renamed-${i}` });
  });
  const outbox = await outboxOf(userId);
  console.log(
    `30 renames over 300 tasks: ${round(ms)} ms; outbox ${outbox.events} events in ${outbox.rows} rows, ${round(outbox.mib)} MiB of task JSON`,
  );
  const abort = new AbortController();
  const stream = await (
    await createCaller(await createContext(deps, { authorization: `Bearer ${accessToken}`, requestId: 'bench' }), {
      signal: abort.signal,
    })
  ).task.events({ lastEventId: '0' });
  let sent = 0;
  let bytes = 0;
  let resyncs = 0;
  const replay = await timed(async () => {
    const iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([
        iterator.next(),
        new Promise<'quiet'>((resolve) => setTimeout(resolve, 500, 'quiet')),
      ]);
      if (next === 'quiet' || next.done) break;
      sent++;
      const data = (next.value as unknown[])[1] as { type: string };
      if (data.type === 'resync') resyncs++;
      bytes += JSON.stringify(data).length;
    }
  });
  abort.abort();
  console.log(
    `resume from "0": ${sent} events (${resyncs} resync), ${round(bytes / 2 ** 20)} MiB in ${round(replay.ms - 500)} ms, longest statement ${round(replay.longest.ms)} ms`,
  );
}

events.close();
await db.destroy();
