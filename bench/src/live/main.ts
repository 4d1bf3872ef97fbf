// pnpm bench:live: two Taskwire instances on Postgres and Redis, 1 000 open task.events streams
// across 200 users in 20 shared projects of 10 (BENCH_LIVE_PROJECTS; 0: everyone alone), 100
// changes a second through the API for 30 s, each in the changer's shared project so it reaches
// every member's streams, then 1 000 reminders due in the same minute. Prints delivery latency (API answer → event on each of the user's streams), lost and
// duplicated events, server memory per 1 000 idle streams, and reminder lag.

import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { recreateDatabase } from '../database.js';
import { benchEnv } from '../env.js';
import { startNode, stop, TASKWIRE_NODE_FLAGS, TASKWIRE_SCRIPT } from '../http/processes.js';
import { quantile } from '../stats.js';

const USERS = 200;
const STREAMS_PER_USER = 5;
const CHANGES_PER_SECOND = 100;
const LOAD_SECONDS = 30;
const REMINDERS = 1_000;
const PROJECTS = benchEnv.BENCH_LIVE_PROJECTS;
const PORTS = [3301, 3302];
const databaseUrl = benchEnv.BENCH_LIVE_DATABASE_URL;
const redisUrl = benchEnv.BENCH_REDIS_URL;
const base = (port: number) => `http://127.0.0.1:${port}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Arrival {
  stream: number;
  id: string;
  type: string;
  taskId: string;
  version: number;
  remindAt: string | null;
  at: number;
}

const arrivals: Arrival[] = [];

/** Opens task.events (tRPC's SSE endpoint) for a token and records every event it carries. */
function openStream(port: number, token: string, index: number): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      {
        host: '127.0.0.1',
        port,
        path: `/trpc/task.events?input=${encodeURIComponent('{}')}`,
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        agent: false,
      },
      (response) => {
        if (response.statusCode !== 200) return reject(new Error(`stream answered ${response.statusCode}`));
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const now = performance.now();
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            if (block.includes('event: connected')) resolve(request);
            const data = /^data: (.*)$/m.exec(block)?.[1];
            const id = /^id: (.*)$/m.exec(block)?.[1];
            if (!data || !id || block.includes('event:')) continue;
            const event = JSON.parse(data) as {
              type: string;
              taskId: string;
              task: { version: number; remindAt: string | null } | null;
            };
            arrivals.push({
              stream: index,
              id,
              type: event.type,
              taskId: event.taskId,
              version: event.task?.version ?? 0,
              remindAt: event.task?.remindAt ?? null,
              at: now,
            });
          }
        });
      },
    );
    request.on('error', reject);
  });
}

async function call(port: number, token: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base(port)}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { result: { data: Record<string, unknown> } }).result.data;
}

async function query(port: number, token: string, path: string): Promise<unknown> {
  const response = await fetch(`${base(port)}/trpc/${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { result: { data: unknown } }).result.data;
}

/**
 * Groups the users into PROJECTS projects: the first of each group creates it and invites the
 * others, who accept. Returns each user's project (none when PROJECTS is 0) and its members.
 */
async function shareProjects(tokens: string[]) {
  const projectOf = new Map<number, string>();
  const membersOf = new Map<number, number[]>();
  if (PROJECTS === 0) {
    for (let user = 0; user < USERS; user++) membersOf.set(user, [user]);
    return { projectOf, membersOf };
  }
  const size = Math.ceil(USERS / PROJECTS);
  for (let first = 0; first < USERS; first += size) {
    const members = Array.from({ length: Math.min(size, USERS - first) }, (_, k) => first + k);
    const owner = tokens[first] ?? '';
    const project = await call(PORTS[0] ?? 0, owner, 'project.create', { name: `Team ${first / size}` });
    for (const member of members.slice(1)) {
      await call(PORTS[0] ?? 0, owner, 'project.invite', {
        projectId: project.id,
        email: `live${member}@bench.example`,
        role: 'editor',
      });
      const [invitation] = (await query(PORTS[1] ?? 0, tokens[member] ?? '', 'project.invitations')) as {
        id: string;
      }[];
      await call(PORTS[1] ?? 0, tokens[member] ?? '', 'project.accept', { invitationId: invitation?.id });
    }
    for (const member of members) {
      projectOf.set(member, String(project.id));
      membersOf.set(member, members);
    }
  }
  return { projectOf, membersOf };
}

/** The server's V8 heap in use (its /metrics, which answers loopback callers), in MiB. */
async function heapMiB(port: number): Promise<number> {
  const text = await (await fetch(`${base(port)}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1]) / 1024 / 1024;
}

async function rssMiB(child: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

const children: ChildProcess[] = [];
try {
  await recreateDatabase(databaseUrl);
  const env = {
    NODE_ENV: 'production',
    JWT_SECRET: 'bench-live-secret-that-is-long-enough-32',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    LOG_LEVEL: 'warn',
  };
  for (const [i, port] of PORTS.entries()) {
    // The second instance skips the migrations the first ran, as in a deploy.
    const instanceEnv = { ...env, PORT: String(port), ...(i > 0 && { MIGRATE_ON_START: 'false' }) };
    children.push(await startNode(TASKWIRE_SCRIPT, instanceEnv, `${base(port)}/readyz`, TASKWIRE_NODE_FLAGS));
  }

  console.log(`fixture: ${USERS} users signed up through the API…`);
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i += 8) {
    const batch = Array.from({ length: Math.min(8, USERS - i) }, (_, k) =>
      call(PORTS[(i + k) % 2] ?? 0, '', 'auth.signUp', {
        email: `live${i + k}@bench.example`,
        password: 'bench live events',
      }),
    );
    for (const result of await Promise.all(batch)) tokens.push(String(result.accessToken));
  }

  console.log(PROJECTS > 0 ? `sharing ${PROJECTS} projects…` : 'every user alone…');
  const { projectOf, membersOf } = await shareProjects(tokens);

  await sleep(2_000);
  const idleRss = await Promise.all(children.map(rssMiB));
  const idleHeap = await Promise.all(PORTS.map(heapMiB));
  console.log(`opening ${USERS * STREAMS_PER_USER} streams (${STREAMS_PER_USER} per user, across both instances)…`);
  const streamsOf = new Map<number, number[]>();
  const requests: http.ClientRequest[] = [];
  for (let user = 0; user < USERS; user++) {
    const opened = [];
    for (let k = 0; k < STREAMS_PER_USER; k++) {
      const index = user * STREAMS_PER_USER + k;
      opened.push(openStream(PORTS[index % 2] ?? 0, tokens[user] ?? '', index));
      streamsOf.set(user, [...(streamsOf.get(user) ?? []), index]);
    }
    requests.push(...(await Promise.all(opened)));
  }
  await sleep(5_000);
  const streamingRss = await Promise.all(children.map(rssMiB));
  const streamingHeap = await Promise.all(PORTS.map(heapMiB));
  const heapPerThousand =
    ((streamingHeap[0] ?? 0) + (streamingHeap[1] ?? 0) - (idleHeap[0] ?? 0) - (idleHeap[1] ?? 0)) /
    ((USERS * STREAMS_PER_USER) / 1_000);
  const perThousand =
    ((streamingRss[0] ?? 0) + (streamingRss[1] ?? 0) - (idleRss[0] ?? 0) - (idleRss[1] ?? 0)) /
    ((USERS * STREAMS_PER_USER) / 1_000);

  console.log(`load: ${CHANGES_PER_SECOND} changes/s for ${LOAD_SECONDS} s…`);
  interface Change {
    user: number;
    key: string;
    answeredAt: number;
  }
  const changes: Change[] = [];
  const tasksOf = new Map<number, { id: string; busy: boolean }[]>();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  // A failed change stops the load and fails the bench through the finally below, which stops the
  // servers: left to reject unhandled, it ended the process with both servers still running.
  let failure: unknown;
  for (let n = 0; n < CHANGES_PER_SECOND * LOAD_SECONDS && failure === undefined; n++) {
    const due = started + (n * 1_000) / CHANGES_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const user = (n * 7919) % USERS;
    const port = PORTS[n % 2] ?? 0;
    const token = tokens[user] ?? '';
    const own = tasksOf.get(user) ?? [];
    tasksOf.set(user, own);
    // Every other change updates one of the user's tasks that no other change is updating.
    const existing = n % 2 === 1 ? own.find((task) => !task.busy) : undefined;
    if (existing) existing.busy = true;
    pending.push(
      (async () => {
        if (existing) {
          const task = await call(port, token, 'task.update', {
            id: existing.id,
            priority: n % 4 === 1 ? 'high' : 'low',
          });
          existing.busy = false;
          changes.push({ user, key: `${task.id}:${task.version}`, answeredAt: performance.now() });
        } else {
          const projectId = projectOf.get(user);
          const task = await call(port, token, 'task.create', {
            title: `change ${n}`,
            ...(projectId && { projectId }),
          });
          own.push({ id: String(task.id), busy: false });
          changes.push({ user, key: `${task.id}:${task.version}`, answeredAt: performance.now() });
        }
      })().catch((error: unknown) => {
        failure ??= error;
      }),
    );
  }
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  await sleep(5_000);

  const byKey = new Map<string, Arrival[]>();
  for (const arrival of arrivals) {
    if (arrival.type === 'task.reminder') continue;
    const key = `${arrival.taskId}:${arrival.version}`;
    byKey.set(key, [...(byKey.get(key) ?? []), arrival]);
  }
  const latencies: number[] = [];
  let lost = 0;
  let duplicated = 0;
  let expected = 0;
  for (const change of changes) {
    const got = byKey.get(change.key) ?? [];
    // Every stream of every member of the change's project.
    const streams = (membersOf.get(change.user) ?? [change.user]).flatMap((member) => streamsOf.get(member) ?? []);
    expected += streams.length;
    for (const stream of streams) {
      const onStream = got.filter((arrival) => arrival.stream === stream);
      if (onStream.length === 0) lost++;
      if (onStream.length > 1) duplicated += onStream.length - 1;
      const first = onStream[0];
      if (first) latencies.push(first.at - change.answeredAt);
    }
  }
  const ids = new Map<number, Set<string>>();
  for (const arrival of arrivals) {
    const seen = ids.get(arrival.stream) ?? new Set();
    if (seen.has(arrival.id)) duplicated++;
    seen.add(arrival.id);
    ids.set(arrival.stream, seen);
  }

  console.log(`reminders: ${REMINDERS} due within one minute…`);
  const windowStart = Date.now() + 15_000;
  const reminderTasks: Promise<unknown>[] = [];
  for (let n = 0; n < REMINDERS; n++) {
    const user = n % USERS;
    const remindAt = new Date(windowStart + Math.floor((n * 60_000) / REMINDERS)).toISOString();
    reminderTasks.push(
      call(PORTS[n % 2] ?? 0, tokens[user] ?? '', 'task.create', { title: `reminder ${n}`, remindAt }),
    );
    if (n % 50 === 49) await Promise.all(reminderTasks.splice(0));
  }
  await Promise.all(reminderTasks);
  const timeOrigin = performance.timeOrigin;
  await sleep(Math.max(0, windowStart + 60_000 + 5_000 - Date.now()));
  const reminderArrivals = arrivals.filter((arrival) => arrival.type === 'task.reminder');
  const reminderLags = reminderArrivals.map((arrival) => timeOrigin + arrival.at - Date.parse(arrival.remindAt ?? ''));
  const reminderKeys = new Set(reminderArrivals.map((arrival) => `${arrival.stream}:${arrival.taskId}`));

  for (const request of requests) request.destroy();
  const peak = await Promise.all(children.map(rssMiB));

  const row = (name: string, value: string, goal: string) =>
    console.log(`${name.padEnd(46)} ${value.padStart(12)}   ${goal}`);
  console.log('\nlive events, 2 instances (Postgres + Redis), this machine');
  row('streams open', String(requests.length), '1 000');
  row('changes through the API', String(changes.length), `${CHANGES_PER_SECOND}/s × ${LOAD_SECONDS} s`);
  row('shared projects (members each)', PROJECTS > 0 ? `${PROJECTS} (${Math.ceil(USERS / PROJECTS)})` : 'none', '');
  row('deliveries expected (change × member streams)', String(expected), '');
  row('answer → event p50 (ms)', quantile(latencies, 0.5).toFixed(1), '');
  row('answer → event p99 (ms)', quantile(latencies, 0.99).toFixed(1), '≤ 100');
  row('lost', String(lost), '0');
  row('duplicated', String(duplicated), '0');
  row('RSS per 1 000 idle streams (MiB, both servers)', perThousand.toFixed(1), '≤ 40');
  row('V8 heap in use per 1 000 idle streams (MiB)', heapPerThousand.toFixed(1), '');
  row(
    'server RSS idle / streaming / end (MiB)',
    `${idleRss.map(Math.round).join('+')} / ${streamingRss.map(Math.round).join('+')} / ${peak.map(Math.round).join('+')}`,
    '',
  );
  row('reminders delivered (task × stream)', String(reminderKeys.size), `${REMINDERS * STREAMS_PER_USER}`);
  row('reminder lag p50 (ms)', quantile(reminderLags, 0.5).toFixed(0), '');
  row('reminder lag p99 (ms)', quantile(reminderLags, 0.99).toFixed(0), '≤ 2 000');
} finally {
  await Promise.all(children.map(stop));
}
