import type { AuthResult, Tokens } from '@taskwire/client';
import { useSyncExternalStore } from 'react';

// The signed-in session, kept in localStorage so a reload stays signed in, and shared with the
// other tabs of this browser (a sign-out in one signs them all out).

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string | null };
}

const KEY = 'taskwire.session';
const listeners = new Set<() => void>();
let raw: string | null = null;
let current: Session | null = null;

/**
 * The stored session, read through to localStorage at every call: another tab's refresh must be
 * seen at once (the storage event comes later). The same object while the text is unchanged.
 */
function read(): Session | null {
  const text = localStorage.getItem(KEY);
  if (text === raw) return current;
  raw = text;
  try {
    const stored = JSON.parse(text ?? 'null') as Session | null;
    current = stored?.accessToken && stored.refreshToken && stored.user?.id ? stored : null;
  } catch {
    current = null;
  }
  return current;
}

function set(next: Session | null): void {
  if (next) localStorage.setItem(KEY, JSON.stringify(next));
  else localStorage.removeItem(KEY);
  read();
  for (const listener of listeners) listener();
}

// Another tab signed in, refreshed or signed out.
window.addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  read();
  for (const listener of listeners) listener();
});

export const session = {
  get: read,
  signedIn: (result: AuthResult) =>
    set({ accessToken: result.accessToken, refreshToken: result.refreshToken, user: result.user }),
  /** New tokens from a refresh: the old refresh token no longer works. */
  refreshed: (tokens: Tokens) => {
    const now = read();
    if (now) set({ ...now, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
  },
  signedOut: () => set(null),
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useSession(): Session | null {
  return useSyncExternalStore(session.subscribe, read);
}
