import type { ProjectRole } from '@taskwire/db';

/** A viewer reads; an editor also writes tasks; the owner also manages the project and its members. */
export const PROJECT_ROLES = ['viewer', 'editor', 'owner'] as const satisfies readonly ProjectRole[];
export type { ProjectRole };

/** Whether `role` may do what `needed` may. */
export const roleAtLeast = (role: ProjectRole, needed: ProjectRole): boolean =>
  PROJECT_ROLES.indexOf(role) >= PROJECT_ROLES.indexOf(needed);
