import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { accountRouter } from './account/router.js';
import { activityRouter } from './activity/router.js';
import { authRouter } from './auth/router.js';
import { calendarRouter } from './calendar/router.js';
import { taskEventsProcedure } from './events/router.js';
import { oauthRouter } from './oauth/router.js';
import { projectRouter } from './projects/router.js';
import { tagRouter } from './tags/router.js';
import { taskRouter } from './tasks/router.js';
import { tokenRouter } from './tokens/router.js';
import { createCallerFactory, mergeRouters, router } from './trpc.js';
import { webhookRouter } from './webhooks/router.js';

/**
 * The whole API: one sub-router per domain. `task.events` (the user's task changes and reminders,
 * live, over SSE) is defined in events/, beside tasks/ rather than inside it, and mounted here
 * under `task`, the path clients know.
 */
export const appRouter = router({
  auth: authRouter,
  task: mergeRouters(taskRouter, router({ events: taskEventsProcedure })),
  tag: tagRouter,
  project: projectRouter,
  token: tokenRouter,
  activity: activityRouter,
  oauth: oauthRouter,
  webhook: webhookRouter,
  calendar: calendarRouter,
  account: accountRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** Calls procedures directly, without HTTP: `createCaller(ctx).task.list()`. */
export const createCaller = createCallerFactory(appRouter);
