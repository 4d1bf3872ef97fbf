export { buildServer, type ServerDeps } from './build-server.js';
export { type Env, EnvError, loadEnv } from './config/env.js';
export { createLogger } from './ops/logger.js';
