import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Member, Task } from '@taskwire/client';
import { useCallback, useRef, useState } from 'react';
import { useTRPC } from './api';
import { formatWhen, isOverdue } from './dates';
import { describeError } from './errors';
import { useNotices } from './notices';
import { TaskEditor } from './task-editor';

/**
 * One task: its checkbox (named by its title), what it carries (its assignee among them), and,
 * for those who may change it, its edit and delete buttons.
 */
export function TaskItem({
  task,
  tags,
  members,
  me,
  canEdit,
}: {
  task: Task;
  tags: string[];
  members: readonly Member[];
  me: string;
  canEdit: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { show } = useNotices();
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  // Focus returns to the Edit button, not to the top of the page, when the editor closes.
  const closeEditor = useCallback(() => {
    setEditing(false);
    editButton.current?.focus();
  }, []);
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
  const assignee = task.assigneeId && members.find((member) => member.userId === task.assigneeId);

  return (
    <li className={`task${completed ? ' done' : ''}${overdue ? ' overdue' : ''}${editing ? ' editing' : ''}`}>
      <input
        type="checkbox"
        aria-label={task.title}
        checked={completed}
        disabled={!canEdit}
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
          {task.assigneeId && (
            <span className="assignee">
              assigned to {task.assigneeId === me ? 'you' : assignee ? (assignee.email ?? 'a member') : 'a member'}
            </span>
          )}
        </span>
        {editing && <TaskEditor task={task} tags={tags} members={members} me={me} done={closeEditor} />}
      </div>
      {canEdit && (
        <div className="actions">
          <button
            type="button"
            className="quiet"
            ref={editButton}
            aria-label={`Edit ${task.title}`}
            onClick={() => setEditing(!editing)}
          >
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
      )}
    </li>
  );
}
