import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Project } from '@taskwire/client';
import { type FormEvent, useState } from 'react';
import { useTRPC } from './api';
import { Dialog } from './dialog';
import { describeError } from './errors';
import { DEFAULT_STATE, type View, writeState } from './url-state';

const DUE_VIEWS = [
  ['today', 'Today'],
  ['upcoming', 'Upcoming'],
] as const satisfies readonly (readonly [View, string])[];

/** The sidebar: Today and Upcoming (the Agenda landmark), then the Projects landmark (a link per project, the Inbox first), and New project. */
export function ProjectsNav({
  projects,
  currentId,
  view,
  go,
  open,
}: {
  projects: readonly Project[];
  /** The project on screen, if the task list shows. */
  currentId: string | null;
  view: View;
  go: (view: View) => void;
  open: (project: Project) => void;
}) {
  const [creating, setCreating] = useState(false);
  return (
    <aside className="sidebar">
      {/* Its own landmark: the Projects navigation lists projects only, as it always has. */}
      <nav aria-label="Agenda" className="views">
        <ul>
          {DUE_VIEWS.map(([due, label]) => (
            <li key={due}>
              <a
                href={writeState({ ...DEFAULT_STATE, view: due })}
                aria-current={view === due ? 'page' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  go(due);
                }}
              >
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <nav aria-label="Projects">
        <ul>
          {projects.map((project) => (
            <li key={project.id}>
              <a
                href={writeState({ ...DEFAULT_STATE, project: project.inbox ? null : project.id }) || '?'}
                aria-current={project.id === currentId ? 'page' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  open(project);
                }}
              >
                {project.name}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <button type="button" className="secondary" onClick={() => setCreating(true)}>
        New project
      </button>
      {creating && (
        <NewProjectDialog
          close={() => setCreating(false)}
          created={(project) => {
            setCreating(false);
            open(project);
          }}
        />
      )}
    </aside>
  );
}

function NewProjectDialog({ close, created }: { close: () => void; created: (project: Project) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation(
    trpc.project.create.mutationOptions({
      onSuccess: async (project) => {
        await queryClient.invalidateQueries({ queryKey: trpc.project.list.queryKey() });
        created(project);
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() && !create.isPending) create.mutate({ name: name.trim() });
  };
  return (
    <Dialog title="New project" onClose={close}>
      <form className="stack" onSubmit={submit}>
        <label>
          Project name
          <input required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        {create.error && (
          <p className="error" role="alert">
            {describeError(create.error)}
          </p>
        )}
        <div className="row">
          <button type="submit" disabled={create.isPending}>
            Create
          </button>
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
