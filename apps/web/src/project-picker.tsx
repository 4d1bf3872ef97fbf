import { useState } from 'react';

/** Which projects a token or a connected app may reach: all of them, or the ones chosen. */
export interface ProjectChoice {
  all: boolean;
  chosen: ReadonlySet<string>;
  setAll: (all: boolean) => void;
  toggle: (id: string, on: boolean) => void;
  /** Null: every project, now and later; else the chosen ones. */
  projectIds: string[] | null;
  /** Whether the choice can be sent: all projects, or at least one. */
  complete: boolean;
}

export function useProjectChoice(): ProjectChoice {
  const [all, setAll] = useState(true);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };
  return { all, chosen, setAll, toggle, projectIds: all ? null : [...chosen], complete: all || chosen.size > 0 };
}

/** "All projects", then one checkbox per project (disabled while all are chosen). */
export function ProjectPicker({
  choice,
  projects,
}: {
  choice: ProjectChoice;
  projects: readonly { id: string; name: string }[] | undefined;
}) {
  return (
    <fieldset>
      <legend>Projects it may reach</legend>
      <label className="check">
        <input type="checkbox" checked={choice.all} onChange={(e) => choice.setAll(e.target.checked)} />
        All projects
      </label>
      {projects?.map((project) => (
        <label key={project.id} className="check">
          <input
            type="checkbox"
            disabled={choice.all}
            checked={choice.all || choice.chosen.has(project.id)}
            onChange={(e) => choice.toggle(project.id, e.target.checked)}
          />
          {project.name}
        </label>
      ))}
    </fieldset>
  );
}
