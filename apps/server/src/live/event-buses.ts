import { createLocalEventBus, type EventBus, type EventBusListener } from '@taskwire/api';
import { type Db, listen, notify } from '@taskwire/db';
import { closeRedis, openRedis, subscribeChannel, whenReady } from '../config/redis.js';

// The doorbell that tells every instance a user has new events (the events themselves are in
// the outbox): Redis pub/sub with REDIS_URL, Postgres LISTEN/NOTIFY with only DATABASE_URL, and
// in-process for the embedded database, which one process holds alone.

const CHANNEL = 'taskwire_task_events';

/** An event bus with a connection to wait for and close. */
export interface ConnectedEventBus extends EventBus {
  readonly kind: 'redis' | 'postgres' | 'local';
  connected(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Listeners of one bus, told of a user or of a gap. */
function listenerSet() {
  const listeners = new Set<EventBusListener>();
  return {
    subscribe(listener: EventBusListener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    user: (userId: string) => {
      for (const listener of listeners) listener.onUser(userId);
    },
    gap: () => {
      for (const listener of listeners) listener.onGap();
    },
  };
}

function redisEventBus(url: string, onError: (error: Error) => void): ConnectedEventBus {
  const listeners = listenerSet();
  const publisher = openRedis(url, onError);
  const subscription = subscribeChannel(url, CHANNEL, {
    onMessage: listeners.user,
    onReconnect: listeners.gap,
    onError,
  });
  return {
    kind: 'redis',
    publish: (userId) => {
      publisher.publish(CHANNEL, userId).catch(onError);
    },
    subscribe: listeners.subscribe,
    async connected(timeoutMs) {
      const ready = await Promise.all([whenReady(publisher, timeoutMs), subscription.subscribed(timeoutMs)]);
      return ready.every(Boolean);
    },
    close: async () => {
      await Promise.all([closeRedis(publisher), subscription.close()]);
    },
  };
}

function postgresEventBus(db: Db, databaseUrl: string, onError: (error: Error) => void): ConnectedEventBus {
  const listeners = listenerSet();
  const listener = listen({
    databaseUrl,
    channel: CHANNEL,
    onPayload: listeners.user,
    onReconnect: listeners.gap,
    onError,
  });
  return {
    kind: 'postgres',
    publish: (userId) => {
      notify(db, CHANNEL, userId).catch(onError);
    },
    subscribe: listeners.subscribe,
    connected: (timeoutMs) => listener.connected(timeoutMs),
    close: () => listener.close(),
  };
}

/** The bus for this deployment: Redis when it is configured, else Postgres, else this process. */
export function createEventBus(
  options: { db: Db; redisUrl?: string | undefined; databaseUrl?: string | undefined },
  onError: (error: Error) => void,
): ConnectedEventBus {
  if (options.redisUrl) return redisEventBus(options.redisUrl, onError);
  if (options.databaseUrl) return postgresEventBus(options.db, options.databaseUrl, onError);
  return { kind: 'local', ...createLocalEventBus(), connected: async () => true, close: async () => {} };
}
