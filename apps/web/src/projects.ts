import type { Project } from '@taskwire/client';

/**
 * The project a view shows: the one the URL asks for, else the Inbox. `gone` says the URL names a
 * project the person no longer belongs to (removed, left, deleted, or never shared with them).
 */
export function pickProject(
  projects: readonly Project[],
  requested: string | null,
): { project: Project | null; gone: boolean } {
  const inbox = projects.find((project) => project.inbox) ?? null;
  if (!requested) return { project: inbox, gone: false };
  const found = projects.find((project) => project.id === requested);
  return found ? { project: found, gone: false } : { project: inbox, gone: true };
}

/** Whether the person may add and change tasks in the project (viewers only read). */
export const canEditTasks = (project: Pick<Project, 'role'>) => project.role !== 'viewer';
