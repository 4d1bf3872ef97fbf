import { useCallback, useSyncExternalStore } from 'react';
import { type ListState, readState, writeState } from './url-state';

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** The view and filters in the URL, and a setter that updates it (a new history entry per view). */
export function useUrlState(): [ListState, (change: Partial<ListState>) => void] {
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  const state = readState(search);
  const update = useCallback((change: Partial<ListState>) => {
    const current = readState(window.location.search);
    const next = { ...current, ...change };
    const url = `${window.location.pathname}${writeState(next)}`;
    if (change.view && change.view !== current.view) window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
    for (const listener of listeners) listener();
  }, []);
  return [state, update];
}
