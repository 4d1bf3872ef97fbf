import { createCaller, createContext, createTokenService, silentLogger } from '@taskwire/api';
import { TRPCError } from '@trpc/server';
import { openDatabase } from '../config/database.js';
import { loadEnvOrExit } from '../config/env.js';
import { resolveJwtSecret } from '../config/jwt-secret.js';
import { runEntryPoint } from '../config/startup-error.js';
import { createLogger } from '../ops/logger.js';

// `pnpm db:seed`: a demo account with a handful of tasks, created through the API itself so every
// rule applies. Safe to run again: an existing demo account is signed into and left as it is.

const DEMO = { email: 'demo@taskwire.dev', password: 'taskwire-demo' };
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const DEMO_TASKS = [
  { title: 'Read the Taskwire README', description: 'Two commands: npm start and npm test.', tags: ['taskwire'] },
  { title: 'Buy milk', description: '2 litres, semi-skimmed', tags: ['errands'], priority: 'low' as const },
  { title: 'Book dentist appointment', dueAt: inDays(3), remindAt: inDays(2), tags: ['health'] },
  {
    title: 'Write the quarterly report',
    description: 'Numbers from finance first.',
    priority: 'high' as const,
    dueAt: inDays(-1),
    tags: ['work'],
  },
  { title: 'Water the plants', dueAt: inDays(1), recurrence: { freq: 'weekly' as const, interval: 1 }, tags: ['home'] },
];

const env = loadEnvOrExit();
const logger = createLogger(env);
await runEntryPoint(logger, async () => {
  const db = await openDatabase(env, logger, { migrate: true });
  const tokens = createTokenService({
    secret: await resolveJwtSecret(env, logger),
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
  });
  const apiDeps = { db, tokens, log: silentLogger };
  const callerAs = async (accessToken?: string) =>
    createCaller(
      await createContext(apiDeps, { authorization: accessToken && `Bearer ${accessToken}`, requestId: 'seed' }),
    );

  try {
    const anonymous = await callerAs();
    const auth = await anonymous.auth.signUp(DEMO).catch(async (error: unknown) => {
      if (error instanceof TRPCError && error.code === 'CONFLICT') return anonymous.auth.signIn(DEMO);
      throw error;
    });
    const demo = await callerAs(auth.accessToken);
    const existing = await demo.task.list({ limit: 1 });
    if (existing.items.length === 0) {
      for (const task of DEMO_TASKS) await demo.task.create(task);
      const first = await demo.task.list({ limit: 100 });
      const done = first.items.find((t) => t.title === 'Buy milk');
      if (done) await demo.task.toggle({ id: done.id });
    }
    const count = (await demo.task.list({ limit: 100 })).items.length;
    console.log(
      [
        '',
        'Demo account ready:',
        `  email:        ${DEMO.email}`,
        `  password:     ${DEMO.password}`,
        `  tasks:        ${count}`,
        `  access token: ${auth.accessToken}`,
        `  (valid ${auth.expiresIn} s; sign in again with auth.signIn for a new one)`,
        '',
      ].join('\n'),
    );
  } finally {
    await db.destroy();
  }
});
