export type { User } from './auth/schemas.js';
export { type AccessToken, createTokenService, type TokenConfig, type TokenService } from './auth/tokens.js';
export { type ApiDeps, type Context, createContext, type RequestInfo } from './context.js';
export { type Logger, silentLogger } from './logger.js';
export { type AppRouter, appRouter, createCaller, type RouterInputs, type RouterOutputs } from './router.js';
export type { Task, TaskPage } from './tasks/schemas.js';
