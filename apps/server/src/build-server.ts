import { fileURLToPath } from 'node:url';
import {
  type ApiDeps,
  createEventHub,
  createLocalEventBus,
  createWebhookWorker,
  type EventHub,
  STREAM_PING_MS,
  type TokenService,
} from '@taskwire/api';
import type { Db } from '@taskwire/db';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { calendarFeeds } from './calendar/register-calendar.js';
import { doorsKernel } from './doors/kernel.js';
import { httpSecurity } from './http/http-security.js';
import { requestIdFor } from './http/request-id.js';
import { requestLog } from './http/request-log.js';
import { webApp } from './http/web-app.js';
import { liveEvents } from './live/register-live-events.js';
import { webhookDelivery } from './live/webhook-delivery.js';
import { mcpDoor } from './mcp/register-mcp.js';
import { oauthServer } from './oauth/register-oauth.js';
import { health } from './ops/health.js';
import { lazyChildLoggerFactory } from './ops/logger.js';
import { metrics } from './ops/metrics.js';
import { type OverloadLimits, overloadProtection } from './ops/overload.js';
import type { RateLimitStore } from './rate-limit/store.js';
import { restDoor } from './rest/register-rest.js';
import { trpcDefaultErrors } from './trpc/default-errors.js';
import { trpcDoor } from './trpc/register-trpc.js';

/** What the API gets from the server, beyond the database and the token service. */
export type ApiOptions = Omit<ApiDeps, 'db' | 'tokens' | 'log' | 'events'>;

export interface HttpOptions {
  /** Origins allowed to call the API from a browser (exact matches); none by default. */
  corsOrigins?: readonly string[];
  /** Fastify's trustProxy: whose X-Forwarded-For/-Host/-Proto to believe. Off by default. */
  trustProxy?: boolean | number | string[];
  /** Where the server says it lives (MCP's documents, REST's links); default: the request's plain Host. */
  publicOrigin?: string;
  /** Largest request body (1 MiB), most calls in one batch (20), most time for a whole request (30 s). */
  bodyLimitBytes?: number;
  /** Largest body of `POST /api/{user_id}/import` (64 MiB); tRPC's `account.import` keeps bodyLimitBytes. */
  importBodyLimitBytes?: number;
  maxBatchSize?: number;
  requestTimeoutMs?: number;
  /** Load shedding; defaults to 1 s of event-loop lag. */
  overload?: OverloadLimits;
}

export interface LiveServerOptions {
  /** Live events: streams, limits and the bus between instances. Default: this process only. */
  events?: EventHub;
  /** Milliseconds between passes that fire due reminders (default 500); 0 fires none. */
  reminderIntervalMs?: number;
  /** A stream's reader that takes nothing for this long is disconnected (default 60 s); above the ping interval. */
  streamStallTimeoutMs?: number;
  /** How often a quiet stream writes a ping (default STREAM_PING_MS, 20 s). */
  streamPingMs?: number;
}

/** Webhook delivery on this instance (its own worker pool). */
export interface WebhookServerOptions {
  /** WEBHOOK_ALLOW_PRIVATE: http and private addresses allowed (default false). */
  allowPrivate?: boolean;
  /** WEBHOOK_RETRY_SCALE: a factor on the retry delays (default 1). */
  retryScale?: number;
  /** Sends in flight on this instance (default 16); each webhook gets at most `perWebhook` (default 2). */
  concurrency?: number;
  perWebhook?: number;
  /** How often the queue is checked (default 500 ms); 0 runs no worker on this instance. */
  pollMs?: number;
}

export interface ServerDeps {
  db: Db;
  tokens: TokenService;
  /** A pino logger; each request gets a child carrying its request id. */
  logger: FastifyBaseLogger;
  api?: ApiOptions;
  http?: HttpOptions;
  live?: LiveServerOptions;
  webhooks?: WebhookServerOptions;
  /** GET /metrics: behind a bearer token when one is set, else to loopback callers only when asked. */
  metrics?: { token?: string | undefined; loopbackOnly?: boolean };
  /** How /trpc answers: `fast` (doors/trpc-internals, then the official adapter) or `official`. */
  trpcHandler?: 'fast' | 'official';
  /** Issuers of an external identity provider, named to MCP clients in the RFC 9728 document. */
  authorizationServers?: string[];
  /** OAuth for MCP clients: where registrations are counted (default: this process), and how many per address and hour. */
  oauth?: { store?: RateLimitStore; registrationsPerHour?: number };
  /** The built web app, served at / when it holds index.html. Default: apps/web/dist. */
  webDir?: string;
}

const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Builds the HTTP server without listening, so tests can start it on port 0. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { db, tokens, logger, http = {}, live = {} } = deps;
  const requestTimeoutMs = http.requestTimeoutMs ?? 30_000;
  const maxBatchSize = http.maxBatchSize ?? 20;
  const streams = { stallMs: live.streamStallTimeoutMs ?? 60_000, pingMs: live.streamPingMs ?? STREAM_PING_MS };
  if (streams.stallMs <= streams.pingMs) {
    // Quiet streams write only pings: a shorter stall timeout would cut off healthy readers.
    throw new Error(`streamStallTimeoutMs must be longer than the ping interval (${streams.pingMs} ms)`);
  }
  const events = live.events ?? createEventHub({ db, bus: createLocalEventBus() });
  const hooks = deps.webhooks ?? {};
  const webhookWorker =
    hooks.pollMs === 0
      ? null
      : createWebhookWorker({
          db,
          log: logger,
          allowPrivate: hooks.allowPrivate ?? false,
          retryScale: hooks.retryScale ?? 1,
          concurrency: hooks.concurrency ?? 16,
          perWebhook: hooks.perWebhook ?? 2,
          pollMs: hooks.pollMs ?? 500,
          onDisabled: (userId) => events.announce(userId),
        });

  const app = Fastify({
    loggerInstance: logger,
    // One line per request, written by http/request-log.ts, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdFor,
    childLoggerFactory: lazyChildLoggerFactory,
    routerOptions: { maxParamLength: 5_000 },
    bodyLimit: http.bodyLimitBytes ?? 1024 * 1024,
    requestTimeout: requestTimeoutMs,
    // A client that sends its headers slowly is cut off as soon as one that sends its body slowly.
    // Node checks those timeouts only every connectionsCheckingInterval (30 s by default).
    http: { headersTimeout: Math.min(requestTimeoutMs, 10_000), connectionsCheckingInterval: 1_000 },
    // Longer than common load balancers' idle timeout, so they close idle connections first.
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    // Fastify takes a hop count at run time but not in its types; the function form is the same rule.
    trustProxy:
      typeof http.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (http.trustProxy as number)
        : (http.trustProxy ?? false),
  });

  // Concerns first: their hooks reach every door's routes registered after them.
  await app.register(requestLog);
  await app.register(metrics, { db, events, ...deps.metrics });
  await app.register(overloadProtection, http.overload ?? { maxEventLoopDelayMs: 1_000 });
  await app.register(httpSecurity, { corsOrigins: http.corsOrigins ?? [] });
  await app.register(doorsKernel, {
    api: {
      db,
      tokens,
      log: logger,
      events,
      webhooks: { allowPrivate: hooks.allowPrivate ?? false, ...(webhookWorker && { nudge: webhookWorker.nudge }) },
      ...deps.api,
    },
    publicOrigin: http.publicOrigin,
  });
  await app.register(trpcDefaultErrors);
  // The doors, each a dialect over the kernel.
  await app.register(trpcDoor, { maxBatchSize, handler: deps.trpcHandler ?? 'fast', streams });
  await app.register(restDoor, { streams, importBodyLimitBytes: http.importBodyLimitBytes ?? 64 * 1024 * 1024 });
  await app.register(mcpDoor, { maxBatchSize });
  await app.register(calendarFeeds);
  await app.register(oauthServer, {
    db,
    access: deps.api?.access,
    authLimits: deps.api?.authLimits,
    ...deps.oauth,
    externalServers: deps.authorizationServers,
  });
  await app.register(liveEvents, {
    db,
    events,
    reminderIntervalMs: live.reminderIntervalMs ?? 500,
    eventLimits: deps.api?.eventLimits,
  });
  await app.register(webhookDelivery, { worker: webhookWorker });
  await app.register(health, { db });
  await app.register(webApp, { dir: deps.webDir ?? DEFAULT_WEB_DIR });
  return app;
}
