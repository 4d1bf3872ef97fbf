import { type ReactNode, useEffect, useId, useRef } from 'react';

/**
 * A modal dialog, the browser's own (focus stays inside, Escape closes it), named by its heading.
 * It opens on mount and focuses its first field; `onClose` runs when the person closes it.
 */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  useEffect(() => {
    // Guarded: StrictMode runs effects twice in development.
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={headingId}
      // A close event queued before a reopening (StrictMode again) is not the person closing it.
      onClose={() => {
        if (!ref.current?.open) onClose();
      }}
    >
      <h2 id={headingId}>{title}</h2>
      {children}
    </dialog>
  );
}
