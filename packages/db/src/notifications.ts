import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from './create-db.js';

// Postgres LISTEN/NOTIFY, for a doorbell between processes sharing one Postgres. NOTIFY runs on a
// pooled connection; LISTEN needs a session of its own that stays open (so not through a PgBouncer
// in transaction mode), reopened after it drops.

/** Sends `payload` to every session listening on `channel` (delivered when this commit lands). */
export async function notify(db: Db, channel: string, payload: string): Promise<void> {
  await sql`select pg_notify(${channel}, ${payload})`.execute(db);
}

export interface Listener {
  /** Resolves true once listening, or false after `timeoutMs`. */
  connected(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface ListenOptions {
  databaseUrl: string;
  /** A plain identifier (it is quoted as one). */
  channel: string;
  onPayload: (payload: string) => void;
  /** Listening resumed after a drop: notifications sent meanwhile were lost. */
  onReconnect: () => void;
  onError: (error: Error) => void;
  retryMs?: number;
}

/** Listens on `channel` on a dedicated connection, reconnecting every `retryMs` (1 s) while it is down. */
export function listen({
  databaseUrl,
  channel,
  onPayload,
  onReconnect,
  onError,
  retryMs = 1_000,
}: ListenOptions): Listener {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
  let client: pg.Client | null = null;
  let closed = false;
  let listenedBefore = false;
  let retry: NodeJS.Timeout | undefined;
  const waiting = new Set<(ok: boolean) => void>();

  const scheduleRetry = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void open();
    }, retryMs);
    retry.unref();
  };

  async function open() {
    const next = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
    next.on('notification', (message) => {
      if (message.channel === channel && message.payload) onPayload(message.payload);
    });
    next.on('error', (error) => {
      onError(error);
      void next.end().catch(() => {});
      if (client === next) client = null;
      scheduleRetry();
    });
    try {
      await next.connect();
      await next.query(`listen "${channel}"`);
    } catch (error) {
      onError(error as Error);
      await next.end().catch(() => {});
      scheduleRetry();
      return;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    if (listenedBefore) onReconnect();
    listenedBefore = true;
    for (const resolve of waiting) resolve(true);
    waiting.clear();
  }
  void open();

  return {
    connected(timeoutMs) {
      if (client) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          waiting.delete(done);
          resolve(ok);
        };
        const timer = setTimeout(done, timeoutMs, false);
        waiting.add(done);
      });
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
