export { type Caller, callerFor, fullCaller } from './access/caller.js';
export { PROJECT_ROLES, type ProjectRole } from './access/roles.js';
export { ImportRefused } from './account/import-check.js';
export { type ExportPage, exportDocumentSchema, importOutput } from './account/schemas.js';
export { ACTIVITY_RETENTION_DAYS, purgeOldActivity } from './activity/queries.js';
export { type Activity, activitySchema, undoOutput } from './activity/schemas.js';
export {
  type AccessCache,
  type AccessCacheOptions,
  createAccessCache,
  type Principal,
  principalKey,
  type ResolvedUser,
  type TokenGrant,
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
export { DEFAULT_SESSION_LIMITS, type SessionLimits } from './auth/session-limits.js';
export { purgeEndedSessions } from './auth/sessions.js';
export {
  type AccessToken,
  createTokenService,
  type TokenConfig,
  type TokenService,
  type TokenSubject,
} from './auth/tokens.js';
export { feedKeyFrom } from './calendar/feed-secret.js';
export { renderFeed } from './calendar/queries.js';
export type { CallLimitDecision, CallLimiter } from './call-limits.js';
export { type Actor, currentChange } from './change-scope.js';
export { type ApiDeps, type Context, createContext, type RequestInfo, withOwnBatch } from './context.js';
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
export { DEFAULT_EVENT_LIMITS, type EventLimits } from './events/event-limits.js';
export { purgeOldEvents } from './events/queries.js';
export { type FiredReminder, fireDueReminders } from './events/reminders.js';
export {
  PROJECT_EVENT_TYPES,
  type ProjectEvent,
  type ProjectEventType,
  type ResyncEvent,
  TASK_EVENT_TYPES,
  type TaskChangeEvent,
  type TaskEvent,
  type TaskEventType,
  type WebhookEvent,
} from './events/schemas.js';
export { idOutput } from './id-output.js';
export { type Logger, silentLogger } from './logger.js';
export { checkAuthorizationRequest, parseScopes, redirectWith } from './oauth/authorization-request.js';
export { findLiveClient, purgeUnusedOAuthClients, registerClient, touchClient } from './oauth/clients.js';
export { isAllowedRedirectUri, redirectUriMatches } from './oauth/redirect-uris.js';
export { grantSchema, OAUTH_ACCESS_TOKEN_TTL_SECONDS, OAUTH_SCOPES, type OAuthGrant } from './oauth/schemas.js';
export { exchangeCode, refreshTokens, revokeOAuthToken, type TokenResult } from './oauth/token-exchange.js';
export { checkOutputs } from './outputs.js';
export {
  type Invitation,
  invitationSchema,
  type Member,
  memberSchema,
  type Project,
  projectSchema,
  type SentInvitation,
  sentInvitationSchema,
} from './projects/schemas.js';
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
export {
  type CreatedToken,
  createdTokenSchema,
  type PersonalToken,
  TOKEN_SCOPES,
  type TokenScope,
  tokenSchema,
} from './tokens/schemas.js';
export { authenticate, STREAM_PING_MS } from './trpc.js';
export { checkWebhookUrl, isForbiddenAddress, WebhookUrlRefused } from './webhooks/address-guard.js';
export {
  type ClaimedMessage,
  claimMessages,
  deliverMessage,
  RETRY_SCHEDULE_MS,
  retryDelayMs,
} from './webhooks/delivery.js';
export { pruneWebhookLog, WEBHOOK_LOG_RETENTION_DAYS } from './webhooks/prune.js';
export type { WebhookSettings } from './webhooks/queries.js';
export {
  createdWebhookSchema,
  redeliveredSchema,
  rotatedSecretSchema,
  WEBHOOK_EVENT_TYPES,
  type Webhook,
  type WebhookDelivery,
  webhookDeliveriesSchema,
  webhookDeliverySchema,
  webhookSchema,
  webhookTestSchema,
} from './webhooks/schemas.js';
export { signatureHeader, signWebhook } from './webhooks/secrets.js';
export {
  createWebhookWorker,
  type WebhookWorker,
  type WebhookWorkerOptions,
  type WebhookWorkerStats,
} from './webhooks/worker.js';
