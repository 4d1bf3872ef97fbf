import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';

// Short messages at the foot of the page: an undo after a delete, a reminder, an error.

export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'reminder' | 'error';
  action?: { label: string; run: () => void };
}

interface Notices {
  notices: Notice[];
  show: (notice: Omit<Notice, 'id'>, ms?: number) => void;
  dismiss: (id: number) => void;
}

const NoticesContext = createContext<Notices | null>(null);
let nextId = 1;

export function NoticesProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const dismiss = useCallback((id: number) => setNotices((all) => all.filter((notice) => notice.id !== id)), []);
  const show = useCallback(
    (notice: Omit<Notice, 'id'>, ms = 8_000) => {
      const id = nextId++;
      setNotices((all) => [...all.slice(-3), { ...notice, id }]);
      setTimeout(() => dismiss(id), ms);
    },
    [dismiss],
  );
  const value = useMemo(() => ({ notices, show, dismiss }), [notices, show, dismiss]);
  // The page keeps room below its last task for the notices showing, so they never hide it.
  const region = useRef<HTMLElement>(null);
  useEffect(() => {
    const element = region.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const root = document.documentElement;
    const observer = new ResizeObserver(() => {
      const height = element.getBoundingClientRect().height;
      root.style.setProperty('--notices-height', height > 0 ? `${Math.ceil(height) + 16}px` : '0px');
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return (
    <NoticesContext.Provider value={value}>
      {children}
      <section ref={region} className="notices" aria-label="Notifications" aria-live="polite">
        {notices.map((notice) => (
          <div
            key={notice.id}
            className={`notice notice-${notice.tone}`}
            role={notice.tone === 'error' ? 'alert' : 'status'}
          >
            <span>{notice.text}</span>
            {notice.action && (
              <button
                type="button"
                onClick={() => {
                  notice.action?.run();
                  dismiss(notice.id);
                }}
              >
                {notice.action.label}
              </button>
            )}
            <button type="button" className="quiet" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>
              ×
            </button>
          </div>
        ))}
      </section>
    </NoticesContext.Provider>
  );
}

export function useNotices(): Notices {
  const notices = useContext(NoticesContext);
  if (!notices) throw new Error('useNotices needs a NoticesProvider');
  return notices;
}
