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

/** Changes the URL's state: a new history entry for another view or project, unless `replace`. */
export type UpdateState = (change: Partial<ListState>, options?: { replace?: boolean }) => void;

/** The view, project and filters in the URL, and a setter that updates it. */
export function useUrlState(): [ListState, UpdateState] {
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  const state = readState(search);
  const update = useCallback<UpdateState>((change, options) => {
    const current = readState(window.location.search);
    const next = { ...current, ...change };
    const url = `${window.location.pathname}${writeState(next)}`;
    const moved = next.view !== current.view || next.project !== current.project;
    if (moved && !options?.replace) window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
    for (const listener of listeners) listener();
  }, []);
  return [state, update];
}
