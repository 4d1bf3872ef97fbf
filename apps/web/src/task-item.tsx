import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Task } from '@taskwire/client';
import { type FormEvent, useId, useState } from 'react';
import { useTRPC } from './api';
import { formatWhen, fromLocalInput, isOverdue, toLocalInput } from './dates';
import { describeError } from './errors';
import { useNotices } from './notices';
import { PRIORITIES } from './url-state';

const RECURRENCES = ['', 'daily', 'weekly', 'monthly', 'yearly'] as const;

/** One task: its checkbox (named by its title), what it carries, and its edit and delete buttons. */
export function TaskItem({ task, tags }: { task: Task; tags: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const [editing, setEditing] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.task.pathKey() });
  const onError = (error: unknown) => show({ text: describeError(error), tone: 'error' });
  // Ticked at once; the list's refetch then confirms it (or an error puts it back).
  const [ticked, setTicked] = useState<boolean | null>(null);
  const toggle = useMutation(
    trpc.task.toggle.mutationOptions({
      onSuccess: async () => {
        await refresh();
        setTicked(null);
      },
      onError: (error) => {
        setTicked(null);
        onError(error);
      },
    }),
  );
  const completed = ticked ?? task.completed;
  const restore = useMutation(trpc.task.restore.mutationOptions({ onSuccess: refresh, onError }));
  const remove = useMutation(
    trpc.task.delete.mutationOptions({
      onSuccess: () => {
        void refresh();
        show({
          text: `Deleted “${task.title}”`,
          tone: 'info',
          action: { label: 'Undo', run: () => restore.mutate({ id: task.id }) },
        });
      },
      onError,
    }),
  );
  const overdue = isOverdue(task);

  return (
    <li className={`task${completed ? ' done' : ''}${overdue ? ' overdue' : ''}`}>
      <input
        type="checkbox"
        aria-label={task.title}
        checked={completed}
        onChange={() => {
          if (toggle.isPending) return;
          setTicked(!completed);
          toggle.mutate({ id: task.id });
        }}
      />
      <div className="task-body">
        <span className="title">{task.title}</span>
        <span className="meta">
          {task.priority !== 'none' && <span className={`badge priority-${task.priority}`}>{task.priority}</span>}
          {task.tags.map((tag) => (
            <span key={tag} className="badge tag">
              #{tag}
            </span>
          ))}
          {task.dueAt && <span className={overdue ? 'due late' : 'due'}>due {formatWhen(task.dueAt)}</span>}
          {task.remindAt && <span className="remind">⏰ {formatWhen(task.remindAt)}</span>}
          {task.recurrence && <span className="recur">↻ {task.recurrence.freq}</span>}
        </span>
        {editing && <TaskEditor task={task} tags={tags} done={() => setEditing(false)} />}
      </div>
      <div className="actions">
        <button type="button" className="quiet" aria-label={`Edit ${task.title}`} onClick={() => setEditing(!editing)}>
          Edit
        </button>
        <button
          type="button"
          className="quiet danger"
          aria-label={`Delete ${task.title}`}
          disabled={remove.isPending}
          onClick={() => remove.mutate({ id: task.id })}
        >
          Delete
        </button>
      </div>
    </li>
  );
}

function TaskEditor({ task, tags, done }: { task: Task; tags: string[]; done: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description ?? '');
  const [priority, setPriority] = useState(task.priority);
  const [tagText, setTagText] = useState(task.tags.join(', '));
  const [dueAt, setDueAt] = useState(toLocalInput(task.dueAt));
  const [remindAt, setRemindAt] = useState(toLocalInput(task.remindAt));
  const [recurrence, setRecurrence] = useState<(typeof RECURRENCES)[number]>(task.recurrence?.freq ?? '');
  const save = useMutation(
    trpc.task.update.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.task.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.tag.pathKey() });
        done();
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const due = fromLocalInput(dueAt);
    if (remindAt && 'Notification' in window && Notification.permission === 'default') {
      void Notification.requestPermission();
    }
    save.mutate({
      id: task.id,
      expectedVersion: task.version,
      title: title.trim(),
      description: description.trim() || null,
      priority,
      tags: tagText
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
      dueAt: due,
      remindAt: fromLocalInput(remindAt),
      recurrence: recurrence && due ? { freq: recurrence, interval: 1 } : null,
    });
  };

  return (
    <form className="editor" onSubmit={submit}>
      <label>
        Title
        <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label>
        Notes
        <textarea rows={2} maxLength={10_000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <div className="row">
        <label>
          Priority
          <select value={priority} onChange={(e) => setPriority(e.target.value as Task['priority'])}>
            {PRIORITIES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tags
          <input
            list={`${id}-tags`}
            value={tagText}
            onChange={(e) => setTagText(e.target.value)}
            placeholder="home, work"
          />
          <datalist id={`${id}-tags`}>
            {tags.map((tag) => (
              <option key={tag} value={tag} />
            ))}
          </datalist>
        </label>
      </div>
      <div className="row">
        <label>
          Due
          <input type="datetime-local" value={dueAt} onChange={(e) => setDueAt(e.target.value)} />
        </label>
        <label>
          Remind me
          <input type="datetime-local" value={remindAt} onChange={(e) => setRemindAt(e.target.value)} />
        </label>
        <label>
          Repeat
          <select value={recurrence} onChange={(e) => setRecurrence(e.target.value as (typeof RECURRENCES)[number])}>
            {RECURRENCES.map((value) => (
              <option key={value} value={value}>
                {value || 'never'}
              </option>
            ))}
          </select>
        </label>
      </div>
      {save.error && (
        <p className="error" role="alert">
          {describeError(save.error)}
        </p>
      )}
      <div className="row">
        <button type="submit" disabled={save.isPending}>
          Save
        </button>
        <button type="button" className="secondary" onClick={done}>
          Cancel
        </button>
      </div>
    </form>
  );
}
