import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STREAM_PING_MS } from '@taskwire/api';
import { z } from 'zod';

// The only file of the server that reads process.env: everything else gets a typed Env.

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** "900", "900s", "15m", "1h", "7d" → seconds. */
const duration = z
  .string()
  .regex(/^\d+\s*[smhd]?$/, 'expected seconds or a duration such as 15m, 1h, 7d')
  .transform((value) => {
    const amount = Number.parseInt(value, 10);
    const unit = value.trim().slice(-1);
    const factor = unit === 'm' ? 60 : unit === 'h' ? 3_600 : unit === 'd' ? 86_400 : 1;
    return amount * factor;
  })
  .pipe(z.int().min(30).max(86_400));

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

// Common local frontend dev servers (Vite, Next, CRA, Expo web).
const DEV_ORIGINS = [
  'http://localhost:3000',
  'http://localhost:5173',
  'http://127.0.0.1:5173',
  'http://localhost:8081',
];

/** TRUST_PROXY as Fastify takes it: true/false, a hop count, or addresses and CIDRs. */
function trustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return list(value);
}

/** https, or http to this machine (a sidecar, or tests): the only ways keys cannot be swapped in transit. */
function isSecureOrLoopback(url: string): boolean {
  // Not a URL at all: the field's own check reports that.
  if (!URL.canParse(url)) return true;
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
}

const boolean = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// or postgresql:// URL' }).optional(),
    ),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1_000).default(10),
    /** Named prepared statements on Postgres; false behind a PgBouncer (transaction mode) older than 1.21. */
    DATABASE_PREPARED_STATEMENTS: z.preprocess(emptyAsUndefined, boolean.default(true)),
    DATA_DIR: z.string().min(1).default('.data'),
    /** The built web app, served at / (default: apps/web/dist, next to this package). */
    WEB_DIR: z
      .string()
      .min(1)
      .default(fileURLToPath(new URL('../../../web/dist', import.meta.url))),
    MIGRATE_ON_START: z.preprocess(emptyAsUndefined, boolean.default(true)),
    JWT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** Comma-separated earlier secrets that still verify their tokens while JWT_SECRET is rotated. */
    JWT_PREVIOUS_SECRETS: z.preprocess(emptyAsUndefined, z.string().optional()),
    JWT_ISSUER: z.string().min(1).default('taskwire'),
    JWT_AUDIENCE: z.string().min(1).default('taskwire-api'),
    ACCESS_TOKEN_TTL: z.preprocess(emptyAsUndefined, duration.default(900)),
    /** A session ends after this many days without a refresh… */
    SESSION_IDLE_DAYS: z.coerce.number().min(1).max(365).default(14),
    /** …and this many days after sign-in, whatever its use. */
    SESSION_ABSOLUTE_DAYS: z.coerce.number().min(1).max(3650).default(60),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SHUTDOWN_TIMEOUT: z.coerce.number().int().min(100).max(600_000).default(10_000),
    /** Server processes on this machine (node:cluster); more than 1 needs Postgres and Redis. */
    WORKERS: z.coerce.number().int().min(1).max(64).default(1),
    /** Shed load (503 + Retry-After) when the event loop lags more than this many ms; 0 turns it off. */
    MAX_EVENT_LOOP_DELAY: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /** Largest request body in bytes (413 beyond). */
    BODY_LIMIT: z.coerce
      .number()
      .int()
      .min(1_024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** Largest body of POST /api/{user_id}/import in bytes (413 beyond); other routes keep BODY_LIMIT. */
    IMPORT_BODY_LIMIT: z.coerce
      .number()
      .int()
      .min(1_024)
      .max(1024 * 1024 * 1024)
      .default(64 * 1024 * 1024),
    /** Most procedure calls in one tRPC batch (400 beyond, before any work). */
    MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(20),
    /** Milliseconds a client may take to send a whole request. */
    REQUEST_TIMEOUT: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    /** Procedure calls per user (per IP when anonymous) and minute; 0 turns the global limit off. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(600),
    /** Sign-in, sign-up and refresh calls per client address and minute; on even when the global limit is 0. */
    RATE_LIMIT_AUTH_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
    /** Wrong passwords per account and hour before sign-in is refused for it (OWASP ASVS: at most 100). */
    RATE_LIMIT_FAILED_SIGNINS_PER_HOUR: z.coerce.number().int().min(1).max(100).default(100),
    /** Milliseconds a "this token still counts" answer is reused; bounds how late another instance sees a sign-out. */
    AUTH_CHECK_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
    /** An external identity provider's JWKS (asymmetric keys); needs AUTH_ISSUER; https in production. */
    AUTH_JWKS_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
    /** The `iss` external tokens must carry (required with AUTH_JWKS_URL). */
    AUTH_ISSUER: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** The `aud` external tokens must carry, when set. */
    AUTH_AUDIENCE: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** An HS256 secret an external issuer (or a frontend) signs access tokens with. */
    AUTH_SHARED_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** Redis for counters shared by every instance; unset keeps them in this process. */
    REDIS_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^rediss?$/ }).optional()),
    /** Comma-separated origins allowed to call from a browser; unset: local dev servers in development, none in production. */
    CORS_ORIGINS: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** Where clients reach this server (https://tasks.example.com): MCP's documents and REST's links name it. Unset: the request's Host. */
    PUBLIC_ORIGIN: z.preprocess(
      emptyAsUndefined,
      z
        .url({ protocol: /^https?$/ })
        .refine(
          (url) => !URL.canParse(url) || new URL(url).origin === url.replace(/\/$/, ''),
          'expected an origin: scheme://host[:port], no path',
        )
        .optional(),
    ),
    /** Whose X-Forwarded-For to believe: true, a hop count, or comma-separated addresses/CIDRs. Off when unset. */
    TRUST_PROXY: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
    METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16).optional()),
    /** `official` answers every /trpc request with tRPC's own Fastify adapter (to bisect a difference). */
    TRPC_HANDLER: z.enum(['fast', 'official']).default('fast'),
    /** Milliseconds between purges: trash older than 30 days, ended sessions, unused tags. */
    TRASH_PURGE_INTERVAL: z.coerce.number().int().min(1_000).default(3_600_000),
    /** Open task.events streams one account may have on one instance (TOO_MANY_REQUESTS past it). */
    STREAMS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(10),
    /** Open task.events streams on one instance (TOO_MANY_REQUESTS past it). */
    MAX_STREAMS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    /** Milliseconds between passes that fire due reminders; 0 fires none on this instance. */
    REMINDER_INTERVAL: z.coerce.number().int().min(0).max(60_000).default(500),
    /** Milliseconds a stream's reader may take nothing (not even pings) before it is disconnected. */
    STREAM_STALL_TIMEOUT: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
    /** Events kept in an account's outbox for resuming streams; past it the oldest go (a resume then gets `resync`). */
    MAX_OUTBOX_EVENTS: z.coerce.number().int().min(100).max(10_000_000).default(10_000),
    /** Bytes of those events; past it, the same. */
    MAX_OUTBOX_BYTES: z.coerce
      .number()
      .int()
      .min(64 * 1024)
      .max(1024 * 1024 * 1024)
      .default(8 * 1024 * 1024),
    /** Events one stream resume may replay; further behind, it gets `resync` and refetches. */
    MAX_REPLAY_EVENTS: z.coerce.number().int().min(10).max(1_000_000).default(1_000),
    /** Bytes one stream resume may replay; past it, the same. */
    MAX_REPLAY_BYTES: z.coerce
      .number()
      .int()
      .min(16 * 1024)
      .max(256 * 1024 * 1024)
      .default(1024 * 1024),
    /** Bytes of recent events an instance keeps in memory per user with an open stream. */
    STREAM_CACHE_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .max(64 * 1024 * 1024)
      .default(256 * 1024),
    /** Live tasks an account may hold (FORBIDDEN past it). */
    MAX_TASKS_PER_USER: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
    /** Tags an account may hold (FORBIDDEN past it); a tag no task carries is deleted. */
    MAX_TAGS_PER_USER: z.coerce.number().int().min(1).max(100_000).default(1_000),
    /** Open sessions per account; a sign-in past it ends the least recently used. */
    MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(50),
    /** Projects an account may belong to, its Inbox included (FORBIDDEN past it). */
    MAX_PROJECTS_PER_USER: z.coerce.number().int().min(1).max(100_000).default(500),
    /** Members of one project, its owner included (an invitation past it cannot be accepted). */
    MAX_MEMBERS_PER_PROJECT: z.coerce.number().int().min(1).max(10_000).default(100),
    /** Invitations one project may have waiting (FORBIDDEN past it). */
    MAX_PENDING_INVITATIONS: z.coerce.number().int().min(1).max(10_000).default(50),
    /** Days the activity log (who changed what, for undo) is kept. */
    ACTIVITY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
    /** Personal access tokens one account may hold (FORBIDDEN past it). */
    MAX_TOKENS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(50),
    /** OAuth clients (connected apps) one account may approve (FORBIDDEN past it). */
    MAX_OAUTH_GRANTS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(50),
    /** Webhooks one account may hold (FORBIDDEN past it). */
    MAX_WEBHOOKS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(20),
    /** Webhooks may use http and reach loopback and private addresses (self-hosting beside Home Assistant, tests). */
    WEBHOOK_ALLOW_PRIVATE: z.preprocess(emptyAsUndefined, boolean.default(false)),
    /** A factor on the webhook retry delays (5 s … 14 h); tests shrink them, e.g. 0.001. */
    WEBHOOK_RETRY_SCALE: z.coerce.number().positive().max(100).default(1),
    /** Webhook deliveries in flight per instance (each webhook gets at most 2 of them). */
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(16),
    /** OAuth client registrations (RFC 7591) per client address and hour. */
    OAUTH_REGISTRATIONS_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(20),
    /** Seals calendar feed tokens (at least 32 bytes); unset: derived from JWT_SECRET (and JWT_PREVIOUS_SECRETS). */
    CALENDAR_FEED_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** Tasks in an account's trash; trashing past it purges the longest-trashed for good. */
    MAX_TRASH_PER_USER: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  })
  .superRefine((env, ctx) => {
    if (env.WORKERS > 1 && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKERS'],
        message: 'more than one worker needs DATABASE_URL (the embedded database belongs to one process)',
      });
    }
    // In-memory counters would be per worker: n workers would allow n times every limit, the
    // per-account sign-in limit included, and a revocation would reach only one worker's cache.
    if (env.WORKERS > 1 && !env.REDIS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKERS'],
        message: 'more than one worker needs REDIS_URL (rate limits and revocations are shared through it)',
      });
    }
    if (env.STREAM_STALL_TIMEOUT <= STREAM_PING_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['STREAM_STALL_TIMEOUT'],
        message: `must be longer than the ${STREAM_PING_MS} ms between pings, or quiet streams are cut off`,
      });
    }
    if (env.AUTH_JWKS_URL && !env.AUTH_ISSUER) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_ISSUER'], message: 'required with AUTH_JWKS_URL' });
    }
    // Keys fetched over plain HTTP can be swapped by anyone on the way, and then any token passes.
    if (env.NODE_ENV === 'production' && env.AUTH_JWKS_URL && !isSecureOrLoopback(env.AUTH_JWKS_URL)) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'must be https in production (or loopback)' });
    }
    if (env.AUTH_SHARED_SECRET !== undefined && Buffer.byteLength(env.AUTH_SHARED_SECRET) < 32) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_SHARED_SECRET'], message: 'at least 32 bytes' });
    }
    if (env.AUTH_SHARED_SECRET !== undefined && env.AUTH_SHARED_SECRET === env.JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_SHARED_SECRET'],
        message: 'must differ from JWT_SECRET (tokens from outside must never pass as our own)',
      });
    }
    if (env.CALENDAR_FEED_KEY !== undefined && Buffer.byteLength(env.CALENDAR_FEED_KEY) < 32) {
      ctx.addIssue({ code: 'custom', path: ['CALENDAR_FEED_KEY'], message: 'at least 32 bytes' });
    }
    if (env.NODE_ENV === 'production' && Buffer.byteLength(env.JWT_SECRET ?? '') < 32) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'required in production, at least 32 bytes (e.g. `openssl rand -base64 48`)',
      });
    }
  })
  .transform((env) => ({
    ...env,
    DATA_DIR: resolve(env.DATA_DIR),
    WEB_DIR: resolve(env.WEB_DIR),
    CORS_ORIGINS:
      env.CORS_ORIGINS !== undefined ? list(env.CORS_ORIGINS) : env.NODE_ENV === 'development' ? DEV_ORIGINS : [],
    TRUST_PROXY: trustProxy(env.TRUST_PROXY),
    JWT_PREVIOUS_SECRETS: env.JWT_PREVIOUS_SECRETS ? list(env.JWT_PREVIOUS_SECRETS) : [],
  }));

export type Env = z.infer<typeof envSchema>;

/** Thrown with a message that lists every bad variable, one per line. */
export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses and validates the configuration; throws EnvError naming each bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** loadEnv for entry points: prints the problem and exits 1 instead of a stack trace. */
export function loadEnvOrExit(): Env {
  try {
    return loadEnv();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
