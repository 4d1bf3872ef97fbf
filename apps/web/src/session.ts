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
let current: Session | null = read();

function read(): Session | null {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    return stored?.accessToken && stored.refreshToken && stored.user?.id ? stored : null;
  } catch {
    return null;
  }
}

function set(next: Session | null): void {
  current = next;
  if (next) localStorage.setItem(KEY, JSON.stringify(next));
  else localStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

// Another tab signed in, refreshed or signed out.
window.addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  current = read();
  for (const listener of listeners) listener();
});

export const session = {
  get: () => current,
  signedIn: (result: AuthResult) =>
    set({ accessToken: result.accessToken, refreshToken: result.refreshToken, user: result.user }),
  /** New tokens from a refresh: the old refresh token no longer works. */
  refreshed: (tokens: Tokens) => {
    if (current) set({ ...current, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
  },
  signedOut: () => set(null),
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useSession(): Session | null {
  return useSyncExternalStore(session.subscribe, session.get);
}
