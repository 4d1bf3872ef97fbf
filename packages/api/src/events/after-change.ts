import type { Caller } from '../access/caller.js';
import type { Context } from '../context.js';
import { trimOutbox, usersOverOutboxLimits } from './outbox-trim.js';

/**
 * After a change committed: everyone it wrote events for (the members of the projects it touched,
 * the caller, and anyone else it told) has their open streams rung, on every instance, and
 * outboxes it took past their limits trimmed.
 */
export async function afterChange(ctx: Context, caller: Caller): Promise<void> {
  const users = new Set([caller.userId, ...caller.alsoTold]);
  if (caller.touched.size > 0) {
    const members = await ctx.db
      .selectFrom('project_members')
      .select('user_id')
      .distinct()
      .where('project_id', 'in', [...caller.touched])
      .execute();
    for (const member of members) users.add(member.user_id);
  }
  for (const userId of users) ctx.events?.announce(userId);
  for (const userId of await usersOverOutboxLimits(ctx.db, [...users], ctx.eventLimits)) {
    await trimOutbox(ctx.db, userId, ctx.eventLimits);
  }
}
