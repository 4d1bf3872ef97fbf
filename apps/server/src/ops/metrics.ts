import { createHash, timingSafeEqual } from 'node:crypto';
import type { EventHub, EventHubStats } from '@taskwire/api';
import { type Db, poolStats } from '@taskwire/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { PROCEDURE_PATHS } from '../doors/trpc-internals/procedures.js';
import { createRequestSeries } from './request-series.js';

// Prometheus metrics: requests by procedure and status, latency, in-flight requests, the database
// pool, and Node's own (event-loop delay, heap, CPU, GC) from prom-client's defaults.

const digest = (value: string) => createHash('sha256').update(value).digest();
/** Compares secrets in constant time (hashing first makes the lengths equal). */
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export const isLoopback = (address: string | undefined) =>
  address !== undefined && /^(::ffff:)?127\.|^::1$/.test(address);
const TRPC_PREFIX = '/trpc/';

/**
 * The procedures a request calls: the one a REST route declares, or those a tRPC URL names (several
 * for a batch). Unknown names collapse to "unknown" and other paths to "other", to bound label values.
 */
function proceduresOf(req: FastifyRequest): string[] {
  if (req.procedures) return req.procedures;
  const query = req.url.indexOf('?');
  const path = query === -1 ? req.url : req.url.slice(0, query);
  // tRPC's routes declare no procedure: their URL names them (and routeOptions is built per read).
  if (path.startsWith(TRPC_PREFIX)) {
    return path
      .slice(TRPC_PREFIX.length)
      .split(',')
      .map((name) => (PROCEDURE_PATHS.has(name) ? name : 'unknown'));
  }
  const declared = req.routeOptions.config?.procedure;
  if (declared) return [declared];
  return [path === '/healthz' || path === '/readyz' || path === '/metrics' ? path : 'other'];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Observations other plugins report (reminder lag). */
    metrics: { observeReminderLag: (lagMs: number) => void };
  }
  interface FastifyContextConfig {
    /** The procedure a REST route calls, for the metrics' `procedure` label. */
    procedure?: string;
  }
  interface FastifyRequest {
    /** What a request calls when only its body says (MCP: `mcp:add_task`), for metrics and the log. */
    procedures?: string[];
  }
}

export interface MetricsOptions {
  db: Db;
  events: EventHub;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Without a token: serve /metrics to loopback callers only (production). */
  loopbackOnly?: boolean;
}

/**
 * Registers the collectors on a registry of this server's own (so several servers can live in one
 * process, as in tests) and serves them at GET /metrics, behind `Authorization: Bearer <token>`
 * when a token is configured. Registered before the doors, so their routes get its hooks.
 */
export const metrics = fp(
  async (app: FastifyInstance, { db, events, token, loopbackOnly = false }: MetricsOptions) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const requests = createRequestSeries({
      counterName: 'taskwire_requests_total',
      counterHelp: 'Procedure calls (and other HTTP requests) by HTTP status',
      histogramName: 'taskwire_request_duration_seconds',
      histogramHelp: 'Request latency by procedure and HTTP status',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
    registry.registerMetric(requests.counter);
    registry.registerMetric(requests.histogram);
    const inFlight = new Gauge({
      name: 'taskwire_requests_in_flight',
      help: 'Requests being served',
      registers: [registry],
    });
    const pool = (name: string, help: string, pick: (s: NonNullable<ReturnType<typeof poolStats>>) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const stats = poolStats(db);
          if (stats) this.set(pick(stats));
        },
      });
    pool('taskwire_db_pool_connections', 'Open connections in the Postgres pool', (s) => s.total);
    pool('taskwire_db_pool_idle', 'Idle connections in the Postgres pool', (s) => s.idle);
    pool('taskwire_db_pool_waiting', 'Queries waiting for a Postgres connection', (s) => s.waiting);

    new Gauge({
      name: 'taskwire_event_streams_open',
      help: 'Open task.events streams on this instance',
      registers: [registry],
      collect() {
        this.set(events.stats.openStreams);
      },
    });
    new Gauge({
      name: 'taskwire_event_cache_bytes',
      help: 'Bytes of recent events this instance keeps in memory for open streams',
      registers: [registry],
      collect() {
        this.set(events.stats.cachedBytes);
      },
    });
    // The hub keeps the counts; each scrape copies them.
    const hubCounter = (name: string, help: string, pick: (stats: EventHubStats) => number) =>
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(pick(events.stats));
        },
      });
    hubCounter(
      'taskwire_events_published_total',
      'Changes this instance announced to the event bus',
      (s) => s.published,
    );
    hubCounter('taskwire_events_delivered_total', 'Events written to streams on this instance', (s) => s.delivered);
    const reminderLag = new Histogram({
      name: 'taskwire_reminder_lag_seconds',
      help: 'How long after its remindAt each reminder fired',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 60, 600],
      registers: [registry],
    });

    const record = (req: FastifyRequest, status: string, seconds: number) => {
      for (const procedure of proceduresOf(req)) requests.record(procedure, status, seconds);
    };
    // Callback hooks, not async ones: nothing here waits, and every request runs them.
    app.addHook('onRequest', (req, reply, done) => {
      inFlight.inc();
      // The response closes once, whether it was sent or the client went away first. Then no
      // onResponse runs: count it here as 499 (nginx's "client closed request").
      reply.raw.once('close', () => {
        inFlight.dec();
        if (!reply.raw.writableFinished) record(req, '499', reply.elapsedTime / 1000);
      });
      done();
    });
    app.addHook('onResponse', (req, reply, done) => {
      record(req, String(reply.statusCode), reply.elapsedTime / 1000);
      done();
    });

    app.get('/metrics', async (req, reply) => {
      if (token && !sameSecret(req.headers.authorization ?? '', `Bearer ${token}`)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'metrics token required' });
      }
      // The socket's own address: X-Forwarded-For is the client's word, not proof.
      if (!token && loopbackOnly && !isLoopback(req.socket.remoteAddress)) {
        return reply.code(403).send({ error: 'metrics are served to loopback callers only; set METRICS_TOKEN' });
      }
      return reply.header('content-type', registry.contentType).send(await registry.metrics());
    });
    app.decorate('metrics', { observeReminderLag: (lagMs: number) => reminderLag.observe(lagMs / 1000) });
  },
  { name: 'metrics' },
);
