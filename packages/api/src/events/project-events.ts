import type { Db } from '@taskwire/db';
import { sql } from 'kysely';
import type { ProjectEventType } from './schemas.js';

/** An event about a project, a member or an invitation, for one user's outbox. */
export interface ProjectEventFor {
  userId: string;
  type: ProjectEventType;
  projectId: string;
  /** member.*: whose membership; role: the new one. */
  memberId?: string;
  role?: string;
  invitationId?: string;
}

/** Writes such events in the change's transaction, through the outbox's one writer (append_task_events). */
export async function appendProjectEvents(trx: Db, events: ProjectEventFor[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event) => ({
    user_id: event.userId,
    type: event.type,
    data: {
      projectId: event.projectId,
      ...(event.memberId && { userId: event.memberId }),
      ...(event.role && { role: event.role }),
      ...(event.invitationId && { invitationId: event.invitationId }),
    },
  }));
  await sql`select append_task_events(${JSON.stringify(rows)}::jsonb)`.execute(trx);
}
