import { fileURLToPath } from 'node:url';
import {
  type AccessCache,
  type AuthLimits,
  createEventHub,
  createLocalEventBus,
  type EventHub,
  type ExternalTokenVerifier,
  type Quotas,
  type SessionLimits,
  type TokenService,
} from '@taskwire/api';
import type { Db } from '@taskwire/db';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { registerBearerChallenge } from './bearer-challenge.js';
import { registerHttpSecurity } from './http-security.js';
import { jsonBodyParser } from './json-body.js';
import { registerLiveEvents } from './live/register-live-events.js';
import { registerMcp } from './mcp/register-mcp.js';
import { registerMetrics } from './metrics.js';
import { type OverloadLimits, registerOverloadProtection } from './overload.js';
import type { RateLimiter } from './rate-limit/limiter.js';
import { createReadinessCheck } from './readiness.js';
import { requestContextFactory } from './request-context.js';
import { requestIdFor } from './request-id.js';
import { registerDocs } from './rest/docs.js';
import { registerRest } from './rest/register-rest.js';
import { trpcErrorFromHttp } from './trpc/error-body.js';
import { registerTrpc } from './trpc/register-trpc.js';
import { registerWebApp } from './web-app.js';

export interface ServerDeps {
  db: Db;
  tokens: TokenService;
  /** A pino logger; each request gets a child carrying its request id. */
  logger: FastifyBaseLogger;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
  /** Without a token: serve /metrics to loopback callers only (production). Default false. */
  metricsLoopbackOnly?: boolean;
  /** Load shedding; defaults to 1 s of event-loop lag. */
  overload?: OverloadLimits;
  /** The global per-user (per-IP when anonymous) limit on procedure calls; none when absent. */
  rateLimiter?: RateLimiter | undefined;
  /** Origins allowed to call the API from a browser (exact matches); none by default. */
  corsOrigins?: readonly string[];
  /** Fastify's trustProxy: whose X-Forwarded-For to believe for the client address. Off by default. */
  trustProxy?: boolean | number | string[];
  /** Session idle and absolute limits; 14 and 60 days by default. */
  sessions?: SessionLimits;
  /** Caches "this token still counts"; one per process. Without it every protected call asks the database. */
  access?: AccessCache;
  /** Accepts access tokens from an external identity provider. */
  externalTokens?: ExternalTokenVerifier | null;
  /** The external identity provider's issuer(s), named to MCP clients in the RFC 9728 document. */
  authorizationServers?: string[];
  /** Per-address and per-account limits on sign-in, sign-up and refresh. */
  authLimits?: AuthLimits;
  /** The API's clock (sessions' idle and absolute limits, stats' "today"); tests move it. */
  now?: () => Date;
  /** How /trpc answers: `fast` (our handler for plain JSON calls, the official adapter for the rest) or `official`. */
  trpcHandler?: 'fast' | 'official';
  /** Per-account quotas (tasks, tags, sessions, trash); the API's defaults when absent. */
  quotas?: Quotas;
  /** Limits on one request's size and time; 1 MiB, 20 calls per batch and 30 s by default. */
  requestLimits?: Partial<RequestLimits>;
  /** Live events: streams, limits and the bus between instances. Default: this process only. */
  events?: EventHub;
  /** Milliseconds between passes that fire due reminders (default 500); 0 fires none. */
  reminderIntervalMs?: number;
  /** A stream's reader that takes nothing for this long is disconnected (default 60 s). */
  streamStallTimeoutMs?: number;
  /** The built web app, served at / when it holds index.html. Default: apps/web/dist. */
  webDir?: string;
}

const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface RequestLimits {
  bodyLimitBytes: number;
  maxBatchSize: number;
  requestTimeoutMs: number;
}

const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  bodyLimitBytes: 1024 * 1024,
  maxBatchSize: 20,
  requestTimeoutMs: 30_000,
};

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the tRPC context has verified the token; logged with the request. */
    userId: string | null;
  }
}

/** Builds the HTTP server without listening, so tests can start it on port 0. */
export async function buildServer({
  db,
  tokens,
  logger,
  metricsToken,
  metricsLoopbackOnly = false,
  overload = { maxEventLoopDelayMs: 1_000 },
  rateLimiter,
  corsOrigins = [],
  trustProxy = false,
  sessions,
  access,
  externalTokens,
  authorizationServers,
  authLimits,
  requestLimits,
  quotas,
  trpcHandler = 'fast',
  now,
  events = createEventHub({ db, bus: createLocalEventBus() }),
  reminderIntervalMs = 500,
  streamStallTimeoutMs = 60_000,
  webDir = DEFAULT_WEB_DIR,
}: ServerDeps): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_REQUEST_LIMITS, ...requestLimits };
  const app = Fastify({
    loggerInstance: logger,
    // One line per request, written in onResponse below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdFor,
    routerOptions: { maxParamLength: 5_000 },
    bodyLimit: limits.bodyLimitBytes,
    // JSON is parsed by json-body.ts on every route, which refuses prototype keys itself.
    requestTimeout: limits.requestTimeoutMs,
    // A client that sends its headers slowly is cut off as soon as one that sends its body slowly.
    // Node checks those timeouts only every connectionsCheckingInterval (30 s by default).
    http: { headersTimeout: Math.min(limits.requestTimeoutMs, 10_000), connectionsCheckingInterval: 1_000 },
    // Longer than common load balancers' idle timeout, so they close idle connections first.
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    // Fastify takes a hop count at run time but not in its types; the function form is the same rule.
    trustProxy: typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
  });

  app.decorateRequest('userId', null);
  // One JSON parser for every route (REST's too): prototype keys and deep nesting are refused.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser('an error'));
  // One access-log line per request: when answered, or when the client went away first (499).
  const logRequest = (req: FastifyRequest, status: number, message: string, elapsedMs: number) =>
    req.log.info(
      {
        method: req.method,
        url: req.url.split('?')[0],
        status,
        durationMs: Math.round(elapsedMs * 10) / 10,
        userId: req.userId,
        ...(req.procedures && { procedure: req.procedures.join(',') }),
      },
      message,
    );
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // API answers are one user's data (or their tokens): no cache, shared or private, keeps them.
    if (req.url.startsWith('/trpc/') || req.url.startsWith('/api/') || req.url.startsWith('/mcp')) {
      reply.header('cache-control', 'no-store');
    }
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) logRequest(req, 499, 'request aborted', reply.elapsedTime);
    });
  });
  app.addHook('onResponse', async (req, reply) => {
    logRequest(req, reply.statusCode, 'request completed', reply.elapsedTime);
  });

  // Before the tRPC plugin, so its routes inherit the metrics and overload hooks.
  const metrics = registerMetrics(app, db, { token: metricsToken, loopbackOnly: metricsLoopbackOnly, events });
  await registerOverloadProtection(app, overload);
  await registerHttpSecurity(app, corsOrigins);
  registerBearerChallenge(app);

  // Failures Fastify answers before tRPC runs (a body over the limit, malformed JSON, poisoned
  // JSON, an unsupported content type) get tRPC's error shape too, so clients read one format.
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const { status, body } = trpcErrorFromHttp(error, req.id);
    if (status === 500) req.log.error({ err: error }, 'request failed');
    return reply.code(status).send(body);
  });

  const apiDeps = {
    db,
    tokens,
    log: logger,
    externalTokens,
    ...(sessions && { sessions }),
    ...(access && { access }),
    ...(authLimits && { authLimits }),
    ...(rateLimiter && { callLimiter: rateLimiter }),
    ...(quotas && { quotas }),
    ...(now && { now }),
    events,
  };
  const contextFor = requestContextFactory(apiDeps);
  await registerTrpc(app, {
    contextFor,
    maxBatchSize: limits.maxBatchSize,
    handler: trpcHandler,
    streamStallTimeoutMs,
  });

  // The same procedures through REST paths (FastAPI-style shapes), with their document and Swagger UI.
  await registerRest(app, contextFor, { streamStallTimeoutMs });
  registerDocs(app);
  // The same procedures as MCP tools, for AI assistants acting for the token's user.
  registerMcp(app, { contextFor, authorizationServers });

  // The web app at / when it is built; without it, a newcomer who opens the address lands on the API docs.
  if (!(await registerWebApp(app, webDir))) app.get('/', async (_req, reply) => reply.redirect('/docs'));
  app.setNotFoundHandler((req, reply) => {
    const { status, body } = trpcErrorFromHttp({ statusCode: 404 }, req.id);
    return reply.code(status).send(body);
  });

  registerLiveEvents(app, { db, events, reminderIntervalMs, onReminderFired: metrics.observeReminderLag });

  app.get('/healthz', async () => ({ status: 'ok' }));

  const isReady = createReadinessCheck(db);
  app.get('/readyz', async (_req, reply) => {
    const ready = await isReady();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
  });

  return app;
}
