import type { createCaller } from '@taskwire/api';

type Caller = ReturnType<typeof createCaller>;

/** How a summary names a project: `project "Garden"`, or by its id when its name is unknown. */
export type ProjectName = (projectId: string) => string;

/**
 * The names of the projects a tool's answer mentions, looked up through the same caller (so the
 * procedures' access rules apply, and no SQL lives in the server): one project by `project.get`,
 * several by one `project.list`. A lookup that fails (the caller left the project meanwhile, the
 * database hiccuped) names the project by its id instead: the tool's work is already done.
 */
export async function projectNames(caller: Caller, ids: readonly string[]): Promise<ProjectName> {
  const wanted = [...new Set(ids)];
  const names = new Map<string, string>();
  try {
    if (wanted.length === 1) {
      const project = await caller.project.get({ id: wanted[0] ?? '' });
      names.set(project.id, project.name);
    } else if (wanted.length > 1) {
      for (const project of await caller.project.list()) names.set(project.id, project.name);
    }
  } catch {
    // Named by id below.
  }
  return (id) => {
    const name = names.get(id);
    return name === undefined ? `project ${id}` : `project "${name}"`;
  };
}
