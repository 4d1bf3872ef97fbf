/** How long a session lives without use, and at most. */
export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

const DAY_MS = 86_400_000;
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 14 * DAY_MS, absoluteMs: 60 * DAY_MS };
