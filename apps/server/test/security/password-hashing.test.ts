import { availableParallelism } from 'node:os';
import { createTestDatabase, type TestDatabase } from '@taskwire/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type RunningServer, startServer } from '../harness.js';
import { watchedDb } from '../watched-db.js';
import { watchHashing } from './hashing-threads.js';
import { call } from './rpc.js';

// What sign-in and password changes cost in password hashing, proved by mechanism rather than by
// a clock (`pnpm bench:timing` measures the timing): an unknown email does the work of a wrong
// password, and accounts hashing flat out cannot put another account's sign-in behind their backlog.

/** The hashing slots: at most cores − 1 hashes at once (packages/api/src/auth/passwords.ts). */
const SLOTS = Math.max(1, availableParallelism() - 1);

let testDb: TestDatabase;
let watched: ReturnType<typeof watchedDb>;
let server: RunningServer;

beforeAll(async () => {
  testDb = await createTestDatabase();
  watched = watchedDb(testDb.db);
  // No auth limits: a right password is no failure, and a limit would only refuse the attack. No
  // reminder passes and no webhook polls: their statements would mix with the ones compared.
  server = await startServer(watched.db, { live: { reminderIntervalMs: 0 }, webhooks: { pollMs: 0 } });
});
afterAll(async () => {
  await server.close();
  await testDb.destroy();
});

interface Account {
  email: string;
  password: string;
  token: string;
}

async function signUp(password: string): Promise<Account> {
  const email = `hashing-${crypto.randomUUID()}@example.com`;
  const { status, data } = await call(server.url, 'auth.signUp', { email, password });
  expect(status).toBe(200);
  return { email, password, token: (data as { accessToken: string }).accessToken };
}

const signIn = (email: string, password: string) => call(server.url, 'auth.signIn', { email, password });

/** `count` password changes (to the same password) in one batch; each call's HTTP status. */
async function changePasswords(account: Account, count: number): Promise<number[]> {
  const change = { currentPassword: account.password, newPassword: account.password };
  const response = await fetch(`${server.url}/trpc/${Array(count).fill('auth.changePassword').join(',')}?batch=1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${account.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [i, change]))),
  });
  const results = (await response.json()) as { error?: { data: { httpStatus: number } } }[];
  return results.map((result) => result.error?.data.httpStatus ?? 200);
}

/** Once the microtasks queued so far have run: a request that read its credentials now waits for a slot. */
const afterPendingWork = () => new Promise((resolve) => setImmediate(resolve));

describe('an unknown email and a wrong password', () => {
  it('get the same answer, the same statements and one argon2 verification against a hash of the same parameters', async () => {
    const { email } = await signUp('correct horse battery');
    const strip = (text: string) => text.replace(/"requestId":"[^"]*"/, '');
    // The first unknown email after start also makes the dummy hash, once per process.
    await signIn(`first-unknown-${crypto.randomUUID()}@example.com`, 'wrong password');

    const hashing = watchHashing();
    const costOf = async (address: string) => {
      const [jobs, statements] = [hashing.granted.length, watched.statements.length];
      const { status, text } = await signIn(address, 'wrong password');
      return {
        answer: [status, strip(text)],
        jobs: hashing.granted.slice(jobs),
        sql: watched.statements.slice(statements),
      };
    };
    try {
      const wrong = await costOf(email);
      const unknown = await costOf(`unknown-${crypto.randomUUID()}@example.com`);
      expect(unknown.answer).toEqual(wrong.answer);
      expect(wrong.answer[0]).toBe(401);
      expect(unknown.sql).toEqual(wrong.sql);
      for (const { jobs } of [wrong, unknown]) {
        expect(jobs.map((job) => [job.op, job.password])).toEqual([['verify', 'wrong password']]);
      }
      // The same argon2id cost (memory, passes, lanes), so the same work.
      const parameters = (hash: string | undefined) => hash?.split('$').slice(1, 4).join('$');
      expect(parameters(wrong.jobs[0]?.hash)).toBe('argon2id$v=19$m=19456,t=2,p=1');
      expect(parameters(unknown.jobs[0]?.hash)).toBe(parameters(wrong.jobs[0]?.hash));
    } finally {
      hashing.stop();
    }
  });
});

describe('hashing shared between accounts', () => {
  it("runs an account's hashes one at a time, at most cores − 1 at once, and gives a victim's sign-in the next free slot before three accounts' backlogs", async () => {
    const CHANGES = 6;
    const victim = await signUp('the victim password');
    const attackers = await Promise.all([1, 2, 3].map((i) => signUp(`attacker password ${i}`)));
    const attackerPasswords = new Set(attackers.map((attacker) => attacker.password));
    const reads = (account: Account) => watched.credentialReads(account.email);
    const [victimReads, attackerReads] = [reads(victim), attackers.map(reads)];
    // Every attacker hash is held once it has its slot, so that slot stays taken until released.
    const hashing = watchHashing((job) => attackerPasswords.has(job.password));
    try {
      const batches = attackers.map((attacker) => changePasswords(attacker, CHANGES));
      // Each change has read its account's credentials: it holds a slot or waits for one.
      const queued = () => attackers.every((attacker, i) => reads(attacker) === (attackerReads[i] ?? 0) + CHANGES);
      expect(await eventually(queued, 30_000)).toBe(true);
      await afterPendingWork();
      expect(hashing.held).toBe(Math.min(SLOTS, attackers.length));

      const grantedBefore = hashing.granted.length;
      const victimSignIn = signIn(victim.email, victim.password);
      expect(await eventually(() => reads(victim) > victimReads, 30_000)).toBe(true);
      await afterPendingWork();
      // One attacker hash finishes: its slot goes to the victim, not to the attackers' backlogs.
      hashing.releaseOne();
      expect(await eventually(() => hashing.granted.length > grantedBefore, 30_000)).toBe(true);
      expect(hashing.granted[grantedBefore]?.password).toBe(victim.password);

      hashing.releaseAll();
      expect((await victimSignIn).status).toBe(200);
      for (const statuses of await Promise.all(batches)) expect(statuses).toEqual(Array(CHANGES).fill(200));
    } finally {
      hashing.stop();
    }
    // Each change verified the current password and hashed the new one, one hash at a time per account.
    for (const attacker of attackers) {
      expect(hashing.granted.filter((job) => job.password === attacker.password)).toHaveLength(2 * CHANGES);
      expect(hashing.mostAtOnce(attacker.password)).toBe(1);
    }
    expect(hashing.mostAtOnce()).toBeLessThanOrEqual(SLOTS);
  }, 60_000);
});
