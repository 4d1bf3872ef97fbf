export { buildServer, type ServerDeps } from './build-server.js';
export { type Env, EnvError, loadEnv } from './env.js';
export { createLogger } from './logger.js';
