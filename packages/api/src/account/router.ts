import { output } from '../outputs.js';
import { accountProcedure, router } from '../trpc.js';
import { exportPage } from './export-queries.js';
import { checkDocument } from './import-check.js';
import { importDocument } from './import-queries.js';
import { exportInput, exportPage as exportPageSchema, importInput, importOutput } from './schemas.js';
import { checkTodoistCsv } from './todoist-csv.js';

// The account's data, out and back in: a session's only (a token gets FORBIDDEN), since an export
// is everything the account owns and an import writes to all of it.

export const accountRouter = router({
  /** One page of the export document: projects and tags on the first page, then tasks until `nextCursor` is null. */
  export: accountProcedure
    .input(exportInput)
    .output(output(exportPageSchema))
    .query(({ ctx, input }) => exportPage(ctx.db, ctx.caller, input, ctx.now())),

  /** Imports an export document or a Todoist CSV (`{ format: 'todoist-csv', csv, projectName? }`), all or nothing, idempotently (BAD_REQUEST naming the bad rows). */
  import: accountProcedure
    .input(importInput)
    .output(output(importOutput))
    .mutation(async ({ ctx, input }) => {
      const now = ctx.now();
      if (input.format === 'taskwire') {
        const document = { projects: input.projects ?? [], tags: input.tags ?? [], tasks: input.tasks ?? [] };
        return importDocument(ctx.db, ctx.caller, checkDocument(document), ctx.quotas, 'taskwire', now);
      }
      const { timezone } = await ctx.db
        .selectFrom('users')
        .select('timezone')
        .where('id', '=', ctx.caller.userId)
        .executeTakeFirstOrThrow();
      const rows = checkTodoistCsv(input.csv ?? '', { projectName: input.projectName, now, timeZone: timezone });
      return importDocument(ctx.db, ctx.caller, rows, ctx.quotas, 'todoist', now);
    }),
});
