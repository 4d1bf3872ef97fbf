import { useMutation, useMutationState, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Project } from '@taskwire/client';
import { type KeyboardEvent, type ReactNode, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { useTRPC, useTRPCClient } from './api';
import { describeError } from './errors';
import { useNotices } from './notices';
import { draftChips, QuickAddChips, type QuickDraft } from './quick-add-chips';

/** A task on its way to the server: shown at once, before the server has answered. */
export interface PendingTask {
  /** The task's id, chosen here: a repeated quick add is answered with the same task. */
  id: string;
  /** What the placeholder shows: the understood title when the text was read already, else the text. */
  title: string;
  projectId: string;
  /** What was typed, for task.quickAdd. */
  text: string;
  /** The project the field was in: where the task goes unless the text names another (@project). */
  into: string;
}

/** What task.parse answered for a text (its spans index into `text`). */
interface Understood {
  text: string;
  draft: QuickDraft;
}

// One queue for every create: tasks typed one after the other are created in that order.
const CREATE_SCOPE = { id: 'task.create' };
// Typing asks the server what it understands after this pause, not on every key.
const PARSE_DELAY_MS = 150;

/**
 * What is sent to task.quickAdd for the text typed in New task (the server reads dates, "every …",
 * priority, #tags, @project and "remind …" from it), and what shows while it is on its way.
 */
export function createInput(text: string, project: Pick<Project, 'id'>, understood?: Understood | null): PendingTask {
  const trimmed = text.trim();
  const draft = understood?.text === trimmed ? understood.draft : null;
  return {
    id: crypto.randomUUID(),
    title: draft?.title || trimmed,
    projectId: draft?.projectId ?? project.id,
    text: trimmed,
    into: project.id,
  };
}

/**
 * The New task field: while typing, chips say what was understood (task.parse, debounced, stale
 * answers cancelled); Enter adds the task at once through task.quickAdd (it shows in the list while
 * the server saves it) and empties the field for the next one, however fast they come.
 */
export function NewTaskField({ project }: { project: Project }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const chipsId = useId();
  const [draft, setDraft] = useState('');
  const [understood, setUnderstood] = useState<Understood | null>(null);
  const projects = useQuery(trpc.project.list.queryOptions());
  const create = useMutation({
    mutationKey: trpc.task.quickAdd.mutationKey(),
    mutationFn: (task: PendingTask) =>
      client.task.quickAdd.mutate({ id: task.id, text: task.text, projectId: task.into }),
    // The list has it before the pending copy goes, so it never blinks out of sight.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.task.pathKey() }),
    onError: (error, variables) =>
      show({ text: `“${variables.text}” was not added: ${describeError(error)}`, tone: 'error' }),
    scope: CREATE_SCOPE,
  });

  // Each change of the text cancels the question still out for the previous one.
  useEffect(() => {
    const text = draft.trim();
    if (!text) {
      setUnderstood(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      client.task.parse
        .query({ text, projectId: project.id }, { signal: controller.signal })
        .then((answer) => {
          if (!controller.signal.aborted) setUnderstood({ text, draft: answer });
        })
        // A cancelled or failed reading shows nothing new; Enter still adds the task.
        .catch(() => undefined);
    }, PARSE_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [draft, project.id, client]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
    event.preventDefault();
    const text = event.currentTarget.value;
    if (!text.trim()) return;
    setDraft('');
    setUnderstood(null);
    create.mutate(createInput(text, project, understood));
  };

  // An answer for the text as it was a moment ago still holds while the person types on after it.
  const current = understood && draft.trim().startsWith(understood.text) ? understood : null;
  const chips = current ? draftChips(current.draft, projects.data ?? [], current.text) : [];
  const backdrop = useRef<HTMLSpanElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const followScroll = () => {
    if (backdrop.current && field.current) backdrop.current.scrollLeft = field.current.scrollLeft;
  };
  // The marks scroll with the text of a field too narrow for it.
  useLayoutEffect(followScroll);
  return (
    <div className="new-task">
      <label className="quick-input">
        <span className="visually-hidden">New task</span>
        {/* The typed text again, invisible, under the field: only its understood parts show, marked. */}
        <span className="quick-backdrop" ref={backdrop} aria-hidden="true">
          <span>{current ? highlight(draft, draft.indexOf(current.text), current.draft.spans) : null}</span>
        </span>
        <input
          ref={field}
          onScroll={followScroll}
          onSelect={followScroll}
          type="text"
          aria-label="New task"
          aria-describedby={chips.length > 0 ? chipsId : undefined}
          data-shortcut="new-task"
          placeholder={project.inbox ? 'Add a task and press Enter' : `Add a task to ${project.name} and press Enter`}
          maxLength={200}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
        />
      </label>
      {chips.length > 0 && current && <QuickAddChips id={chipsId} chips={chips} title={current.draft.title} />}
    </div>
  );
}

/** `text` with the spans (positions in it from `offset` on) wrapped in <mark>. */
function highlight(text: string, offset: number, spans: QuickDraft['spans']): ReactNode[] {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const span of spans) {
    const start = offset + span.start;
    const end = offset + span.end;
    if (start < at || end > text.length) continue;
    parts.push(text.slice(at, start), <mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(text.slice(at));
  return parts;
}

/** The tasks of a project still being created, oldest first. */
export function usePendingTasks(projectId: string): PendingTask[] {
  const trpc = useTRPC();
  return useMutationState({
    filters: { mutationKey: trpc.task.quickAdd.mutationKey(), status: 'pending' },
    select: (mutation) => mutation.state.variables as PendingTask | undefined,
  }).filter((task): task is PendingTask => task?.projectId === projectId && typeof task.id === 'string');
}
