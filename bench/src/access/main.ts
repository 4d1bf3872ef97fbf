import {
  type AccessCache,
  createAccessCache,
  createCaller,
  createContext,
  createTokenService,
  type Principal,
  silentLogger,
} from '@taskwire/api';
import { createDb, migrateToLatest } from '@taskwire/db';
import { recreateDatabase } from '../database.js';
import { benchEnv } from '../env.js';
import { ms, quantile, sample } from '../stats.js';

// `pnpm bench:access`: what checking "this token still counts" costs a protected call. The same
// call (task.count, through createCaller, on Postgres) in three set-ups, alternated over rounds:
//   trust     the token alone, no check (how protected calls worked before revocation existed)
//   cached    the production set-up: the answer reused for 10 s
//   uncached  the database asked on every call
// Reports the median of each round's p50, and the ratios to "trust".

const url = benchEnv.BENCH_ACCESS_DATABASE_URL;
const ROUNDS = benchEnv.BENCH_ROUNDS;
const CALLS = benchEnv.BENCH_SAMPLES * 10;

/** The pre-revocation behaviour: a verified signature is enough. */
const trustToken: AccessCache = {
  async resolve(_db, principal: Principal) {
    return principal.kind === 'local'
      ? { userId: principal.userId, sessionId: principal.sessionId, device: null, grant: null }
      : null;
  },
  forgetUser() {},
  forgetAll() {},
};

await recreateDatabase(url);
const db = createDb({ databaseUrl: url, pool: { max: 4 } });
await migrateToLatest(db);
const tokens = createTokenService({
  secret: 'bench-secret-that-is-at-least-32-bytes!',
  issuer: 'taskwire',
  audience: 'taskwire-api',
  accessTokenTtlSeconds: 900,
});
const anonymous = createCaller(await createContext({ db, tokens, log: silentLogger }, { requestId: 'bench' }));
const { accessToken } = await anonymous.auth.signUp({ email: 'access@example.com', password: 'bench access check' });
const authorization = `Bearer ${accessToken}`;

const setups: Record<string, AccessCache> = {
  trust: trustToken,
  cached: createAccessCache({ ttlMs: 10_000 }),
  uncached: createAccessCache({ ttlMs: 0 }),
};
const p50s: Record<string, number[]> = { trust: [], cached: [], uncached: [] };
const queries: Record<string, number> = {};

const entries = Object.entries(setups);
for (let round = 0; round < ROUNDS; round++) {
  // A different set-up goes first each round, so warm-up and drift do not favour one.
  const order = [...entries.slice(round % entries.length), ...entries.slice(0, round % entries.length)];
  for (const [name, access] of order) {
    const durations = await sample(async () => {
      // A new context per call, as each HTTP request has.
      const ctx = await createContext({ db, tokens, log: silentLogger, access }, { authorization, requestId: 'b' });
      await createCaller(ctx).task.count({});
    }, CALLS);
    p50s[name]?.push(quantile(durations, 0.5));
  }
}

// How many database round trips a call makes in each set-up, counted once.
for (const [name, access] of Object.entries(setups)) {
  let count = 0;
  const counting = createDb({ databaseUrl: url, pool: { max: 1 }, log: () => void count++ });
  const ctx = await createContext(
    { db: counting, tokens, log: silentLogger, access },
    { authorization, requestId: 'q' },
  );
  await createCaller(ctx).task.count({});
  count = 0;
  await createCaller(
    await createContext({ db: counting, tokens, log: silentLogger, access }, { authorization, requestId: 'q' }),
  ).task.count({});
  queries[name] = count;
  await counting.destroy();
}
await db.destroy();

const median = (values: number[]) => quantile(values, 0.5);
const base = median(p50s.trust ?? []);
console.log(`task.count via createCaller on Postgres, ${ROUNDS} rounds × ${CALLS} calls, median of per-round p50:`);
for (const name of Object.keys(setups)) {
  const value = median(p50s[name] ?? []);
  console.log(
    `  ${name.padEnd(9)} p50 ${ms(value)} ms  ×${(value / base).toFixed(2)} of trust  queries/call ${queries[name]}`,
  );
}
