import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { authRouter } from './auth/router.js';
import { tagRouter } from './tags/router.js';
import { taskRouter } from './tasks/router.js';
import { createCallerFactory, router } from './trpc.js';

/** The whole API: one sub-router per domain. */
export const appRouter = router({
  auth: authRouter,
  task: taskRouter,
  tag: tagRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** Calls procedures directly, without HTTP: `createCaller(ctx).task.list()`. */
export const createCaller = createCallerFactory(appRouter);
