// How much of the outbox one account may hold, and how much one resume may replay. The host may
// set them (ApiDeps.eventLimits); these defaults keep a day of heavy use and refetch past that.

const MiB = 1024 * 1024;

export interface EventLimits {
  /** Events kept in an account's outbox for resumes; past it, the oldest go at the next change. */
  outboxEvents: number;
  /** Bytes of those events (100 each, plus their task snapshots as JSON); past it, the same. */
  outboxBytes: number;
  /** Events one resume may replay; a resume further behind gets `resync` and carries on live. */
  replayEvents: number;
  /** Bytes one resume may replay (references counted as filled in); past it, the same. */
  replayBytes: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = {
  outboxEvents: 10_000,
  outboxBytes: 8 * MiB,
  replayEvents: 1_000,
  replayBytes: 1 * MiB,
};

/** A replay is charged to the global limit as one call per this many events or bytes, whichever is more. */
export const REPLAY_EVENTS_PER_CALL = 100;
export const REPLAY_BYTES_PER_CALL = 64 * 1024;
