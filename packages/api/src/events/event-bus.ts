/** What an event bus tells each instance. */
export interface EventBusListener {
  /** The user has new events in the outbox. */
  onUser(userId: string): void;
  /** Announcements may have been lost (the bus reconnected): every user may have news. */
  onGap(): void;
}

/**
 * The doorbell between instances: after a change commits, its instance announces the user, and
 * every instance with that user's streams reads the outbox. It carries no event itself, so a lost
 * announcement only delays delivery until the next one or the streams' periodic check.
 */
export interface EventBus {
  /** Tells every instance, this one included, that the user has new events. */
  publish(userId: string): void;
  /** Returns a function that stops listening. */
  subscribe(listener: EventBusListener): () => void;
}

/** The bus of a single process (PGlite, tests): announcements go straight to its listeners. */
export function createLocalEventBus(): EventBus {
  const listeners = new Set<EventBusListener>();
  return {
    publish(userId) {
      for (const listener of listeners) listener.onUser(userId);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
