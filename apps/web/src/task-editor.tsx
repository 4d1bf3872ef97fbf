import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Member, Task } from '@taskwire/client';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTRPC } from './api';
import { fromLocalInput, toLocalInput } from './dates';
import { describeError } from './errors';
import { PRIORITIES } from './url-state';

const RECURRENCES = ['', 'daily', 'weekly', 'monthly', 'yearly'] as const;

/** A task's fields in a form: title, notes, priority, tags, assignee (a member of its project), dates. */
export function TaskEditor({
  task,
  tags,
  members,
  me,
  done,
}: {
  task: Task;
  tags: string[];
  members: readonly Member[];
  me: string;
  done: () => void;
}) {
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
  const [assignee, setAssignee] = useState(task.assigneeId ?? '');
  // A rule without a due date has nothing to repeat from: said, never dropped.
  const [needsDue, setNeedsDue] = useState(false);
  const save = useMutation(
    trpc.task.update.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.task.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.tag.pathKey() });
        done();
      },
    }),
  );

  // Escape closes the editor, from its fields or anywhere else, unless a dialog (which Escape closes) is open.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || document.querySelector('dialog[open]')) return;
      event.preventDefault();
      done();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [done]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const due = fromLocalInput(dueAt);
    if (recurrence && !due) {
      setNeedsDue(true);
      document.getElementById(`${id}-due`)?.focus();
      return;
    }
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
      // An unchanged rule is sent back whole (every 2 weeks stays every 2 weeks).
      recurrence: !recurrence
        ? null
        : recurrence === task.recurrence?.freq
          ? task.recurrence
          : { freq: recurrence, interval: 1 },
      // Only when changed: the assignee must still be a member, and an unchanged one need not be checked.
      ...(assignee !== (task.assigneeId ?? '') && { assigneeId: assignee || null }),
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
        <label>
          Assignee
          <select value={assignee} onChange={(e) => setAssignee(e.target.value)}>
            <option value="">nobody</option>
            {members.map((member) => (
              <option key={member.userId} value={member.userId}>
                {member.userId === me ? `me (${member.email ?? 'you'})` : (member.email ?? 'a member without email')}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="row">
        <label>
          Due
          <input
            id={`${id}-due`}
            type="datetime-local"
            value={dueAt}
            aria-invalid={needsDue && !dueAt}
            aria-describedby={needsDue ? `${id}-needs-due` : undefined}
            onChange={(e) => setDueAt(e.target.value)}
          />
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
      {needsDue && recurrence && !dueAt && (
        <p className="error" role="alert" id={`${id}-needs-due`}>
          A repeating task needs a due date: set Due, or set Repeat to never.
        </p>
      )}
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
