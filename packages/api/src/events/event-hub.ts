import type { Db } from '@taskwire/db';
import { rateLimitedError } from '../errors.js';
import type { EventBus } from './event-bus.js';
import { eventsAfter, eventWindow, type StoredEvent } from './queries.js';

// One per instance. Streams of the same user on this instance share one feed: on each
// announcement the feed reads the outbox once and keeps the latest events in memory, so N open
// devices cost one read per change, not N. A stream that is behind (a resume) reads the outbox
// itself. Nothing is pushed into a stream: each pulls when its reader is ready, so a slow reader
// holds no queue of its own; it only falls behind, onto outbox reads.

export interface EventHubOptions {
  db: Db;
  bus: EventBus;
  /** Open streams one user may have on this instance (default 10). */
  streamsPerUser?: number;
  /** Open streams on this instance (default 10 000). */
  maxStreams?: number;
  /** Events each feed keeps in memory (default 256). */
  recentPerUser?: number;
  /** Bytes of events each feed keeps in memory (default 256 KiB): with big notes, 256 events were ~3 MiB. */
  recentBytesPerUser?: number;
  /** How long a feed with streams goes without reading before it reads anyway (lost announcements; default 15 s). */
  feedRecheckMs?: number;
}

/** Counters for /metrics. */
export interface EventHubStats {
  openStreams: number;
  /** Announcements of new events made by this instance. */
  published: number;
  /** Events written to streams on this instance. */
  delivered: number;
  /** Events the feeds hold in memory, and their bytes. */
  readonly cachedEvents: number;
  readonly cachedBytes: number;
}

/** One open stream's hold on its user's feed. */
export interface StreamLease {
  /** The last event id the feed has read (where a stream that asked for nothing old starts). */
  readonly latest: number;
  /** Events after `cursor`, oldest first: from memory when it holds them, else the outbox. */
  after(cursor: number, limit: number): Promise<StoredEvent[]>;
  /**
   * Resolves when the feed has events after `cursor` (at once if it already has: a read may have
   * landed between the stream's last look and this call), the hub closes, `signal` aborts, or the
   * lease is released.
   */
  wait(cursor: number, signal?: AbortSignal): Promise<void>;
  release(): void;
}

export interface EventHub {
  readonly stats: EventHubStats;
  /** True once close() ran: streams end so that clients reconnect elsewhere. */
  readonly closed: boolean;
  /** After a change commits: tells every instance that the user has new events. */
  announce(userId: string): void;
  /** Opens a stream for the user; TOO_MANY_REQUESTS beyond the limits. */
  join(userId: string): Promise<StreamLease>;
  close(): void;
}

/** How long a feed goes without reading before it reads anyway (lost announcements). */
const FEED_RECHECK_MS = 15_000;
const FEED_READ_BATCH = 500;

class UserFeed {
  latest = 0;
  recent: StoredEvent[] = [];
  recentBytes = 0;
  streams = 0;
  lastReadAt = Date.now();
  readonly ready: Promise<void>;
  private readonly waiters = new Set<() => void>();
  private reading: Promise<void> | null = null;
  private readAgain = false;

  constructor(
    private readonly db: Db,
    private readonly userId: string,
    private readonly keep: number,
    private readonly keepBytes: number,
  ) {
    this.ready = eventWindow(db, userId).then((window) => {
      this.latest = window.latest;
    });
  }

  /** Reads what the outbox has after `latest`; a call during a read makes that read go round once more. */
  refresh(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.ready
      .then(() => this.readNew())
      .catch(() => {
        // The database is unreachable: streams keep waiting, and the next announcement reads again.
      })
      .finally(() => {
        this.reading = null;
        if (this.readAgain) {
          this.readAgain = false;
          this.refresh();
        }
      });
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const rows = await eventsAfter(this.db, this.userId, this.latest, FEED_READ_BATCH);
      this.lastReadAt = Date.now();
      const last = rows.at(-1);
      if (last) {
        this.recent.push(...rows);
        for (const row of rows) this.recentBytes += row.bytes;
        this.forgetOldest();
        this.latest = last.id;
        this.wake();
      }
      if (rows.length < FEED_READ_BATCH) return;
    }
  }

  /** Drops the oldest events past the count or the byte limit; streams behind them read the outbox. */
  private forgetOldest(): void {
    let drop = Math.max(0, this.recent.length - this.keep);
    let bytes = this.recentBytes;
    for (let i = 0; i < drop; i++) bytes -= this.recent[i]?.bytes ?? 0;
    while (drop < this.recent.length && bytes > this.keepBytes) bytes -= this.recent[drop++]?.bytes ?? 0;
    this.recent.splice(0, drop);
    this.recentBytes = bytes;
  }

  async after(cursor: number, limit: number): Promise<StoredEvent[]> {
    const first = this.recent[0];
    if (cursor >= this.latest) return [];
    if (first && cursor >= first.id - 1) {
      const start = this.recent.findIndex((event) => event.id > cursor);
      return this.recent.slice(start, start + limit);
    }
    return eventsAfter(this.db, this.userId, cursor, limit);
  }

  // No timer: an idle stream sleeps until an event, its abort, its release or the hub's close
  // wakes it. (A 2 s timeout per stream made 1 000 idle streams wake 500 times a second.)
  wait(cursor: number, signal?: AbortSignal): Promise<void> {
    if (this.latest > cursor || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export function createEventHub({
  db,
  bus,
  streamsPerUser = 10,
  maxStreams = 10_000,
  recentPerUser = 256,
  recentBytesPerUser = 256 * 1024,
  feedRecheckMs = FEED_RECHECK_MS,
}: EventHubOptions): EventHub {
  const feeds = new Map<string, UserFeed>();
  // One clock for every feed, not one per stream: a feed that has not read for feedRecheckMs reads
  // again, in case an announcement was lost (the bus down, the database unreachable).
  const recheck = setInterval(
    () => {
      const now = Date.now();
      for (const feed of feeds.values()) if (now - feed.lastReadAt > feedRecheckMs) feed.refresh();
    },
    Math.min(2_000, feedRecheckMs),
  );
  recheck.unref();
  const cached = (count: (feed: UserFeed) => number) => [...feeds.values()].reduce((sum, feed) => sum + count(feed), 0);
  const stats: EventHubStats = {
    openStreams: 0,
    published: 0,
    delivered: 0,
    get cachedEvents() {
      return cached((feed) => feed.recent.length);
    },
    get cachedBytes() {
      return cached((feed) => feed.recentBytes);
    },
  };
  let closed = false;

  const unsubscribe = bus.subscribe({
    onUser: (userId) => feeds.get(userId)?.refresh(),
    onGap: () => {
      for (const feed of feeds.values()) feed.refresh();
    },
  });

  return {
    stats,
    get closed() {
      return closed;
    },

    announce(userId) {
      stats.published++;
      bus.publish(userId);
    },

    async join(userId) {
      let feed = feeds.get(userId);
      if ((feed?.streams ?? 0) >= streamsPerUser) {
        throw rateLimitedError(5, `At most ${streamsPerUser} open event streams per account; close one first`);
      }
      if (stats.openStreams >= maxStreams) {
        throw rateLimitedError(5, 'This server has too many open event streams; retry shortly');
      }
      if (!feed) {
        feed = new UserFeed(db, userId, recentPerUser, recentBytesPerUser);
        feeds.set(userId, feed);
      }
      const joined = feed;
      joined.streams++;
      stats.openStreams++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        joined.streams--;
        stats.openStreams--;
        if (joined.streams === 0 && feeds.get(userId) === joined) feeds.delete(userId);
        // A stream released while it waits (its token refused) wakes to end at once.
        joined.wake();
      };
      try {
        await joined.ready;
      } catch (error) {
        release();
        throw error;
      }
      return {
        get latest() {
          return joined.latest;
        },
        after: (cursor, limit) => joined.after(cursor, limit),
        wait: (cursor, signal) => (closed || released ? Promise.resolve() : joined.wait(cursor, signal)),
        release,
      };
    },

    close() {
      closed = true;
      clearInterval(recheck);
      unsubscribe();
      for (const feed of feeds.values()) feed.wake();
    },
  };
}
