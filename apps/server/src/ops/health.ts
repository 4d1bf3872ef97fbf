import type { Db } from '@taskwire/db';
import type { FastifyInstance } from 'fastify';
import { createReadinessCheck } from './readiness.js';

/** Liveness (the process answers) and readiness (its database answers), for orchestrators. */
export async function health(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  const isReady = createReadinessCheck(db);
  app.get('/readyz', async (_req, reply) => {
    const ready = await isReady();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
  });
}
