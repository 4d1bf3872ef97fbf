#!/usr/bin/env node
// The tag attack from issue 11, against a running server: one ordinary account makes 10 000 tags
// (25 batches of 20 creates with 20 new tags each) and grows 100 daily-recurring tasks by
// completing them 40 times, inside the default rate limit. Then it times `tag.list` (alone and
// twice in one batch) while another client polls /healthz, and prints what each took.
//
//   node bench/src/abuse/tag-attack.mjs http://127.0.0.1:3000
const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const json = { 'content-type': 'application/json' };

/** Waits out the rate limit when told to (as a patient attacker would): Retry-After seconds. */
async function send(url, init) {
  for (;;) {
    const response = await fetch(url, init);
    if (response.status !== 429) return response;
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
  }
}

async function rpc(path, input, token, { batch = false } = {}) {
  const headers = { ...json, ...(token && { authorization: `Bearer ${token}` }) };
  const body = JSON.stringify(batch ? Object.fromEntries(input.map((item, i) => [i, item])) : input);
  const response = await send(`${base}/trpc/${path}${batch ? '?batch=1' : ''}`, { method: 'POST', headers, body });
  return { status: response.status, body: await response.json() };
}

const email = `attacker-${Date.now()}@example.com`;
const { body: signedUp } = await rpc('auth.signUp', { email, password: 'attack the tags' });
const token = signedUp.result.data.accessToken;

let refused = 0;
for (let batch = 0; batch < 25; batch++) {
  const creates = Array.from({ length: 20 }, (_, i) => ({
    title: `t${batch}-${i}`,
    tags: Array.from({ length: 20 }, (_, j) => `tag-${batch}-${i}-${j}`),
  }));
  const { body } = await rpc(Array(20).fill('task.create').join(','), creates, token, { batch: true });
  refused += body.filter((answer) => answer.error).length;
}
const due = new Date(Date.now() + 86_400_000).toISOString();
const recurring = [];
for (let i = 0; i < 100; i++) {
  const { body } = await rpc('task.create', { title: `daily ${i}`, dueAt: due, recurrence: { freq: 'daily' } }, token);
  if (body.result) recurring.push(body.result.data.id);
}
let live = recurring;
for (let round = 0; round < 40 && live.length > 0; round++) {
  const { body } = await rpc('task.bulkUpdate', { ids: live, set: { completed: true } }, token);
  if (!body.result) break;
  live = body.result.data.updated.filter((task) => !task.completed).map((task) => task.id);
}

/** Runs `request` while /healthz is polled every 50 ms; both durations in ms. */
async function whilePolling(request) {
  let polling = true;
  let worstHealth = 0;
  const poll = (async () => {
    while (polling) {
      const started = performance.now();
      await fetch(`${base}/healthz`);
      worstHealth = Math.max(worstHealth, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const started = performance.now();
  const response = await request();
  const ms = performance.now() - started;
  polling = false;
  await poll;
  return { status: response.status, ms: Math.round(ms), worstHealthMs: Math.round(worstHealth) };
}

const auth = { authorization: `Bearer ${token}` };
// Time the reads in a fresh rate-limit window (windows are aligned to the minute), so no wait is timed.
await new Promise((resolve) => setTimeout(resolve, 60_000 - (Date.now() % 60_000) + 200));
const tags = await (await send(`${base}/trpc/tag.list`, { headers: auth })).json();
const count = await (await send(`${base}/trpc/task.count`, { headers: auth })).json();
const single = await whilePolling(() => send(`${base}/trpc/tag.list`, { headers: auth }));
const double = await whilePolling(() => send(`${base}/trpc/tag.list,tag.list?batch=1`, { headers: auth }));
console.log(
  JSON.stringify({
    tags: tags.result?.data.length,
    tasks: count.result?.data,
    refusedCreates: refused,
    tagList: single,
    tagListTwiceInABatch: double,
  }),
);
