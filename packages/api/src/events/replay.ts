import { type EventLimits, REPLAY_BYTES_PER_CALL, REPLAY_EVENTS_PER_CALL } from './event-limits.js';
import type { StoredEvent } from './queries.js';

/**
 * What a resume replays: the events up to `until`, the latest id when it started. It charges the
 * caller by their size as they go, and says when they would pass the byte limit, which the start
 * could only estimate: references count once filled in.
 */
export class Replay {
  private events = 0;
  private bytes = 0;
  private charged = 0;

  constructor(
    readonly until: number,
    private readonly limits: EventLimits,
    private readonly charge: (calls: number) => Promise<void>,
  ) {}

  /**
   * Takes a batch about to be sent: false when its replayed events would pass `replayBytes` (the
   * stream should resync instead). Else charges what they owe (TOO_MANY_REQUESTS past the limit).
   */
  async admit(batch: StoredEvent[]): Promise<boolean> {
    const replayed = batch.filter((event) => event.id <= this.until);
    const bytes = replayed.reduce((sum, event) => sum + event.bytes, this.bytes);
    if (bytes > this.limits.replayBytes) return false;
    this.events += replayed.length;
    this.bytes = bytes;
    const owed = Math.max(
      Math.ceil(this.events / REPLAY_EVENTS_PER_CALL),
      Math.ceil(this.bytes / REPLAY_BYTES_PER_CALL),
    );
    await this.charge(owed - this.charged);
    this.charged = owed;
    return true;
  }
}
