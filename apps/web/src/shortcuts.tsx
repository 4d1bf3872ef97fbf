import { useCallback, useEffect, useState } from 'react';
import { Dialog } from './dialog';

/** The keys the app answers, as the help dialog lists them. */
export const SHORTCUTS: readonly [key: string, does: string][] = [
  ['q', 'New task'],
  ['/', 'Search'],
  ['Escape', 'Close the task editor'],
  ['?', 'Keyboard shortcuts'],
];

/** Whether a key press belongs to a field the person is typing in (shortcuts keep out of its way). */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

const focus = (name: string) => {
  const field = document.querySelector<HTMLElement>(`[data-shortcut="${name}"]`);
  field?.focus();
  return field !== null;
};

/**
 * `q` focuses New task, `/` focuses Search, `?` opens the help; never while typing in a field or
 * with a dialog open. (Escape belongs to the task editor and the browser's dialogs.)
 */
export function useShortcuts(openHelp: () => void): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      if (document.querySelector('dialog[open]')) return;
      let handled = false;
      if (event.key === 'q') handled = focus('new-task');
      else if (event.key === '/') handled = focus('search');
      else if (event.key === '?') {
        openHelp();
        handled = true;
      }
      // The key would otherwise be typed into the field it just focused.
      if (handled) event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [openHelp]);
}

/** A button that opens the Keyboard shortcuts dialog, which `?` opens too. */
export function ShortcutsHelp() {
  const [open, setOpen] = useState(false);
  useShortcuts(useCallback(() => setOpen(true), []));
  return (
    <>
      <button
        type="button"
        className="quiet shortcuts-button"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
        onClick={() => setOpen(true)}
      >
        ?
      </button>
      {open && (
        <Dialog title="Keyboard shortcuts" onClose={() => setOpen(false)}>
          <dl className="shortcuts">
            {SHORTCUTS.map(([key, does]) => (
              <div key={key}>
                <dt>
                  <kbd>{key}</kbd>
                </dt>
                <dd>{does}</dd>
              </div>
            ))}
          </dl>
          <div className="row">
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}
