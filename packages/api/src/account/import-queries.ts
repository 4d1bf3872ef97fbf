import { createHash } from 'node:crypto';
import type { Db } from '@taskwire/db';
import { TRPCError } from '@trpc/server';
import { sql } from 'kysely';
import type { Caller } from '../access/caller.js';
import { inboxOf } from '../access/scope.js';
import { inTransaction } from '../change-scope.js';
import { appendProjectEvents } from '../events/project-events.js';
import { holdQuotas, type Quotas, quotaExceededError } from '../quotas.js';
import { PRIORITIES } from '../tasks/schemas.js';
import type { ExportedProject, ExportedTag, ExportedTask, ImportResult } from './schemas.js';

// account.import: a whole document or nothing. Every row is checked first (a refusal names the
// bad rows), then the quotas, then everything is written in one transaction. Ids are derived from
// the importing user and the document's own ids (UUIDv5), so a second import of the same file
// finds every row already there and creates nothing.

const NAMESPACE = Buffer.from('6f1d3c1e7a5b4c2e9d8f0a1b2c3d4e5f', 'hex');

/** A UUIDv5 (RFC 9562) of `name` in Taskwire's import namespace. */
export function importId(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const CHUNK = 500;
const chunks = <T>(items: T[]) =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

/**
 * Imports a checked document for the caller, in one transaction: quotas first, then the rows
 * that are not there yet. `source` names where the ids came from (`taskwire`, `todoist`).
 */
export async function importDocument(
  db: Db,
  caller: Caller,
  rows: { projects: ExportedProject[]; tags: ExportedTag[]; tasks: ExportedTask[] },
  quotas: Quotas,
  source: string,
  now: Date,
): Promise<ImportResult> {
  const idOf = (kind: string, key: string) => importId(`${caller.userId}\n${source}\n${kind}\n${key}`);
  return inTransaction(db, async (trx) => {
    await holdQuotas(trx, caller.userId);
    const inbox = await inboxOf(trx, caller);
    const projectIdOf = new Map(
      rows.projects.map((project) => [project.id, project.inbox ? inbox : idOf('project', project.id)]),
    );
    const targetOf = (key: string) => projectIdOf.get(key) ?? inbox;
    const taskIdOf = (task: ExportedTask) => idOf('task', `${task.projectId}/${task.id}`);

    // What is there already: nothing of it is counted or written again.
    const wanted = [...projectIdOf.values()];
    const existingProjects = new Set(
      wanted.length === 0
        ? []
        : (await trx.selectFrom('projects').select('id').where('id', 'in', wanted).execute()).map((row) => row.id),
    );
    const existingTasks = new Set<string>();
    for (const chunk of chunks(rows.tasks)) {
      // By (project, id), the primary key: the lookup is an index probe, not a scan.
      const found = await trx
        .selectFrom('tasks')
        .select('id')
        .where('project_id', 'in', [...new Set(chunk.map((task) => targetOf(task.projectId)))])
        .where('id', 'in', chunk.map(taskIdOf))
        .execute();
      for (const row of found) existingTasks.add(row.id);
    }
    const newProjects = rows.projects.filter((project) => !existingProjects.has(targetOf(project.id)));
    const newTasks = rows.tasks.filter((task) => !existingTasks.has(taskIdOf(task)));

    // Quotas, before any write.
    const { memberships } = await trx
      .selectFrom('project_members')
      .select(sql<number>`count(*)::int`.as('memberships'))
      .where('user_id', '=', caller.userId)
      .executeTakeFirstOrThrow();
    if (memberships + newProjects.length > quotas.projects) throw quotaExceededError('projects', quotas.projects);
    const counts = await trx
      .selectFrom('task_counts')
      .innerJoin('projects', 'projects.id', 'task_counts.project_id')
      .select([
        sql<number>`coalesce(sum(task_counts.open + task_counts.completed), 0)::int`.as('live'),
        sql<number>`coalesce(sum(task_counts.trashed), 0)::int`.as('trashed'),
      ])
      .where('projects.owner_id', '=', caller.userId)
      .executeTakeFirstOrThrow();
    const newLive = newTasks.filter((task) => task.deletedAt === null).length;
    if (Number(counts.live) + newLive > quotas.tasks) throw quotaExceededError('tasks', quotas.tasks);
    if (Number(counts.trashed) + newTasks.length - newLive > quotas.trash) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `Quota reached: at most ${quotas.trash} tasks in the trash (trash quota)`,
      });
    }
    const tagNames = new Map<string, Map<string, string>>();
    const addTag = (projectKey: string, name: string) => {
      const target = targetOf(projectKey);
      const names = tagNames.get(target) ?? new Map<string, string>();
      if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
      tagNames.set(target, names);
    };
    for (const tag of rows.tags) addTag(tag.projectId, tag.name);
    for (const task of newTasks) for (const name of task.tags) addTag(task.projectId, name);
    for (const [projectId, names] of tagNames) {
      const { n } = await trx
        .selectFrom('tags')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('project_id', '=', projectId)
        .where(sql<boolean>`lower(name) <> all(${sql.val([...names.keys()])}::text[])`)
        .executeTakeFirstOrThrow();
      if (n + names.size > quotas.tags) throw quotaExceededError('tags', quotas.tags);
    }

    // The writes.
    for (const project of newProjects) {
      const id = targetOf(project.id);
      await trx
        .insertInto('projects')
        .values({
          id,
          owner_id: caller.userId,
          name: project.name,
          color: project.color,
          created_at: project.createdAt,
        })
        .execute();
      await trx
        .insertInto('project_members')
        .values({ project_id: id, user_id: caller.userId, role: 'owner' })
        .execute();
    }
    // As project.create does: the caller's other devices hear of each new project.
    await appendProjectEvents(
      trx,
      newProjects.map((project) => ({
        userId: caller.userId,
        type: 'member.added' as const,
        projectId: targetOf(project.id),
        memberId: caller.userId,
        role: 'owner',
      })),
    );
    const tagIds = new Map<string, Map<string, string>>();
    for (const [projectId, names] of tagNames) {
      await trx
        .insertInto('tags')
        .values(
          [...names.values()].map((name) => ({
            project_id: projectId,
            id: idOf('tag', `${projectId}\n${name.toLowerCase()}`),
            name,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
      const found = await trx
        .selectFrom('tags')
        .select(['id', 'name'])
        .where('project_id', '=', projectId)
        .where(sql<boolean>`lower(name) = any(${sql.val([...names.keys()])}::text[])`)
        .execute();
      tagIds.set(projectId, new Map(found.map((row) => [row.name.toLowerCase(), row.id])));
    }
    for (const chunk of chunks(newTasks)) {
      await trx
        .insertInto('tasks')
        .values(
          chunk.map((task) => {
            const projectId = targetOf(task.projectId);
            const ids = tagIds.get(projectId);
            return {
              project_id: projectId,
              id: taskIdOf(task),
              created_by: caller.userId,
              title: task.title,
              description: task.description,
              completed: task.completed,
              completed_at: task.completedAt,
              priority: PRIORITIES.indexOf(task.priority),
              tag_ids: [...new Set(task.tags.map((name) => ids?.get(name.toLowerCase()) ?? ''))].filter(Boolean),
              due_at: task.dueAt,
              remind_at: task.remindAt,
              // A reminder whose time has passed is not fired again for an old task brought back.
              reminded_at: task.remindAt && Date.parse(task.remindAt) <= now.getTime() ? task.remindAt : null,
              recurrence: task.recurrence,
              deleted_at: task.deletedAt,
              created_at: task.createdAt,
              updated_at: task.updatedAt,
            };
          }),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    caller.touched.add(inbox);
    for (const project of rows.projects) caller.touched.add(targetOf(project.id));
    return {
      projects: { created: newProjects.length, existing: rows.projects.length - newProjects.length },
      tasks: { created: newTasks.length, existing: rows.tasks.length - newTasks.length },
    };
  });
}
