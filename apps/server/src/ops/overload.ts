import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { trpcErrorBody } from '../trpc/error-body.js';

export interface OverloadLimits {
  /** Shed load when the event loop lags more than this (ms); 0 turns the check off. */
  maxEventLoopDelayMs: number;
  /** How often the lag and heap are sampled (ms); keep it above 10, the lag monitor's resolution. */
  sampleIntervalMs?: number;
}

// Liveness and metrics must answer even under pressure, or an orchestrator restarts a process
// that is merely busy, and operators lose sight of it exactly when they need it.
const EXEMPT = new Set(['/healthz', '/metrics']);
const RETRY_AFTER_SECONDS = 5;
const OVERLOADED = 'The server is overloaded; retry shortly';

/**
 * Answers 503 with Retry-After while the process is overloaded (event-loop lag, or heap above
 * 90 % of its limit), instead of queueing work it cannot finish in time.
 */
export const overloadProtection = fp(
  async (app: FastifyInstance, limits: OverloadLimits) => {
    await app.register(underPressure, {
      maxEventLoopDelay: limits.maxEventLoopDelayMs,
      maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.9),
      sampleInterval: limits.sampleIntervalMs ?? 1_000,
      // Returning nothing lets the request through; returning a value makes the plugin send it.
      pressureHandler: (req, reply, type) => {
        if (EXEMPT.has(req.url.split('?')[0] ?? '')) return;
        req.log.warn({ type }, 'overloaded: shedding request');
        reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS));
        // Each door answers in its own error shape: REST clients read `detail`, tRPC clients `error`.
        const body = req.url.startsWith('/api/')
          ? { detail: OVERLOADED }
          : trpcErrorBody('SERVICE_UNAVAILABLE', 503, OVERLOADED, req.id);
        return body as unknown as undefined;
      },
    });
  },
  { name: 'overload-protection' },
);
