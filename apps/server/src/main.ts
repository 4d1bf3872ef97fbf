import cluster from 'node:cluster';
import { loadEnvOrExit } from './config/env.js';
import { ensurePortIsFree } from './config/port-check.js';
import { runEntryPoint } from './config/startup-error.js';
import { runPrimary } from './ops/cluster.js';
import { createLogger } from './ops/logger.js';
import { serve } from './serve.js';

// The entry point: one server process, or with WORKERS > 1 a primary that runs that many.

// Never serve on an unsupported Node by accident: `npm start` runs under Node 24 even where the
// machine's own Node is older (scripts/node-runtime.mjs).
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`Taskwire needs Node 22.12 or newer, not ${process.version}: start it with npm start`);
  process.exit(1);
}
const env = loadEnvOrExit();
const logger = createLogger(env);

await runEntryPoint(logger, async () => {
  // Workers share the primary's port; only the process that binds it first checks it.
  if (cluster.isPrimary) await ensurePortIsFree(env.HOST, env.PORT);
  if (env.WORKERS > 1 && cluster.isPrimary) await runPrimary(env, logger);
  else await serve(env, logger, { migrate: env.MIGRATE_ON_START });
});
