import cluster from 'node:cluster';
import { checkOutputs, createExternalTokenVerifier, createTokenService, feedKeyFrom } from '@taskwire/api';
import type { Logger } from 'pino';
import { buildServer } from './build-server.js';
import { describeDatabase, openDatabase } from './config/database.js';
import type { Env } from './config/env.js';
import { resolveJwtSecret } from './config/jwt-secret.js';
import { eventLimitsOf, openSharedServices } from './config/shared-services.js';
import { scheduleMaintenance } from './ops/maintenance.js';
import { exitGracefullyOnSignals } from './ops/shutdown.js';

const DAY_MS = 86_400_000;

/** Runs one server process: database, API, HTTP, trash purge, and a graceful exit on SIGTERM/SIGINT. */
export async function serve(env: Env, logger: Logger, options: { migrate: boolean }): Promise<void> {
  // Development checks every answer against its procedure's output schema; production trusts them.
  checkOutputs(env.NODE_ENV !== 'production');
  const secret = await resolveJwtSecret(env, logger);
  const db = await openDatabase(env, logger, { migrate: options.migrate });
  const tokens = createTokenService({
    secret,
    previousSecrets: env.JWT_PREVIOUS_SECRETS,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
  });
  const shared = await openSharedServices(env, db, logger);
  if (env.NODE_ENV === 'production' && !env.PUBLIC_ORIGIN) {
    logger.warn('PUBLIC_ORIGIN is not set: MCP documents and REST links name the Host each request came to');
  }
  const metricsLoopbackOnly = env.NODE_ENV === 'production' && !env.METRICS_TOKEN;
  if (metricsLoopbackOnly) {
    logger.warn('METRICS_TOKEN is not set: /metrics answers loopback callers only');
  }
  if (env.AUTH_JWKS_URL && !env.AUTH_AUDIENCE) {
    logger.warn('AUTH_AUDIENCE is not set: tokens the identity provider issued for any audience are accepted');
  }
  const sessions = { idleMs: env.SESSION_IDLE_DAYS * DAY_MS, absoluteMs: env.SESSION_ABSOLUTE_DAYS * DAY_MS };
  const app = await buildServer({
    db,
    tokens,
    logger,
    api: {
      access: shared.access.access,
      externalTokens: createExternalTokenVerifier({
        jwksUrl: env.AUTH_JWKS_URL,
        sharedSecret: env.AUTH_SHARED_SECRET,
        issuer: env.AUTH_ISSUER,
        audience: env.AUTH_AUDIENCE,
      }),
      authLimits: shared.limits.authLimits,
      ...(shared.limits.rateLimiter && { callLimiter: shared.limits.rateLimiter }),
      sessions,
      eventLimits: eventLimitsOf(env),
      // New feed tokens are sealed with the first key; earlier JWT secrets still open theirs.
      calendarKeys: (env.CALENDAR_FEED_KEY ? [env.CALENDAR_FEED_KEY] : [secret, ...env.JWT_PREVIOUS_SECRETS]).map(
        feedKeyFrom,
      ),
      quotas: {
        tasks: env.MAX_TASKS_PER_USER,
        tags: env.MAX_TAGS_PER_USER,
        sessions: env.MAX_SESSIONS_PER_USER,
        trash: env.MAX_TRASH_PER_USER,
        projects: env.MAX_PROJECTS_PER_USER,
        members: env.MAX_MEMBERS_PER_PROJECT,
        invitations: env.MAX_PENDING_INVITATIONS,
        tokens: env.MAX_TOKENS_PER_USER,
        oauthGrants: env.MAX_OAUTH_GRANTS_PER_USER,
        webhooks: env.MAX_WEBHOOKS_PER_USER,
      },
    },
    http: {
      corsOrigins: env.CORS_ORIGINS,
      trustProxy: env.TRUST_PROXY,
      ...(env.PUBLIC_ORIGIN && { publicOrigin: env.PUBLIC_ORIGIN }),
      bodyLimitBytes: env.BODY_LIMIT,
      importBodyLimitBytes: env.IMPORT_BODY_LIMIT,
      maxBatchSize: env.MAX_BATCH_SIZE,
      requestTimeoutMs: env.REQUEST_TIMEOUT,
      overload: { maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY },
    },
    live: {
      events: shared.events,
      reminderIntervalMs: env.REMINDER_INTERVAL,
      streamStallTimeoutMs: env.STREAM_STALL_TIMEOUT,
    },
    webhooks: {
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
      retryScale: env.WEBHOOK_RETRY_SCALE,
      concurrency: env.WEBHOOK_CONCURRENCY,
    },
    metrics: { token: env.METRICS_TOKEN, loopbackOnly: metricsLoopbackOnly },
    trpcHandler: env.TRPC_HANDLER,
    // An identity provider with its own issuer is where MCP clients get tokens (RFC 9728).
    ...(env.AUTH_JWKS_URL && env.AUTH_ISSUER && { authorizationServers: [env.AUTH_ISSUER] }),
    oauth: { store: shared.limits.store, registrationsPerHour: env.OAUTH_REGISTRATIONS_PER_HOUR },
    webDir: env.WEB_DIR,
  });
  const stopMaintenance = scheduleMaintenance(db, logger, env.TRASH_PURGE_INTERVAL, {
    sessions,
    activityRetentionDays: env.ACTIVITY_RETENTION_DAYS,
  });
  exitGracefullyOnSignals(
    async () => {
      stopMaintenance();
      await app.close();
      await shared.close();
      await db.destroy();
    },
    logger,
    env.SHUTDOWN_TIMEOUT,
    // A cluster worker stops when its primary says so (SIGTERM); Ctrl-C reaches the whole process
    // group, and answering it too would count as the "second signal" that exits at once.
    cluster.isWorker ? ['SIGTERM'] : ['SIGTERM', 'SIGINT'],
  );
  if (cluster.isWorker) process.on('SIGINT', () => {});
  await app.listen({ port: env.PORT, host: env.HOST });
  const address = app.server.address();
  const origin = `http://${env.HOST}:${typeof address === 'object' && address ? address.port : env.PORT}`;
  logger.info(
    { database: describeDatabase(env) },
    `Taskwire ready at ${origin}: the app ${origin}/, API docs ${origin}/docs, REST ${origin}/api, tRPC ${origin}/trpc`,
  );
}
