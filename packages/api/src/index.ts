export {
  type AccessCache,
  type AccessCacheOptions,
  createAccessCache,
  type Principal,
  principalKey,
} from './auth/access.js';
export type { AccountAttempt, AuthLimits, LimitDecision } from './auth/auth-limits.js';
export { commonPasswordCount } from './auth/common-passwords.js';
export {
  createExternalTokenVerifier,
  type ExternalTokenConfig,
  type ExternalTokenVerifier,
} from './auth/external-tokens.js';
export {
  type AuthResult,
  authResultSchema,
  endedSessionsOutput,
  type SessionView,
  sessionSchema,
  type User,
  userSchema,
} from './auth/schemas.js';
export { purgeEndedSessions } from './auth/sessions.js';
export {
  type AccessToken,
  createTokenService,
  type TokenConfig,
  type TokenService,
  type TokenSubject,
} from './auth/tokens.js';
export type { CallLimitDecision, CallLimiter } from './call-limits.js';
export {
  type ApiDeps,
  type Context,
  createContext,
  DEFAULT_SESSION_LIMITS,
  type RequestInfo,
  type SessionLimits,
} from './context.js';
export {
  AccessTokenRefused,
  fieldErrorsOf,
  InvalidInputError,
  RateLimitedError,
  rateLimitedError,
  summariseInputErrors,
  VersionConflictError,
} from './errors.js';
export { createLocalEventBus, type EventBus, type EventBusListener } from './events/event-bus.js';
export { createEventHub, type EventHub, type EventHubOptions, type EventHubStats } from './events/event-hub.js';
export { type FiredReminder, fireDueReminders, purgeOldEvents } from './events/queries.js';
export {
  type ResyncEvent,
  TASK_EVENT_TYPES,
  type TaskChangeEvent,
  type TaskEvent,
  type TaskEventType,
} from './events/schemas.js';
export { idOutput } from './id-output.js';
export { type Logger, silentLogger } from './logger.js';
export { checkOutputs } from './outputs.js';
export { DEFAULT_QUOTAS, QuotaExceeded, type Quotas } from './quotas.js';
export { currentRequestId, runInRequest } from './request-scope.js';
export { type AppRouter, appRouter, createCaller, type RouterInputs, type RouterOutputs } from './router.js';
export { purgeUnusedTags } from './tags/queries.js';
export { type Tag, tagSchema } from './tags/schemas.js';
export { type TaskPage, type TaskStats, taskPageSchema, taskStatsSchema } from './tasks/list-schemas.js';
export {
  type BulkDeleteResult,
  type BulkUpdateResult,
  bulkDeleteOutput,
  bulkUpdateOutput,
  type CompletedTask,
  completedTaskSchema,
  emptyTrashOutput,
  type Priority,
  type Task,
  taskSchema,
} from './tasks/schemas.js';
export { purgeExpiredTrash, TRASH_RETENTION_DAYS } from './tasks/trash-queries.js';
export { STREAM_PING_MS } from './trpc.js';
