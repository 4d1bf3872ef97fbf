import { initTRPC, TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { invokeProcedure } from '../src/doors/trpc-internals/invoke.js';
import type { ProcedureCallOptions, RawProcedure } from '../src/doors/trpc-internals/raw-procedure.js';

// invokeProcedure must be indistinguishable from tRPC's own procedure call: the same data, the
// same error (code, message, cause), and the same options, context and input seen by every
// middleware and resolver. Each case runs once through tRPC and once through the invoker, with
// everything the middlewares observe recorded, and the two records are compared.

interface Ctx {
  seen: unknown[];
  tenant?: string;
  role?: string;
}

const t = initTRPC.context<Ctx>().meta<{ label: string }>().create();

/** What a middleware saw: its options' names in order, meta, input, context (without the log). */
const observe = (stage: string) =>
  t.middleware(async (opts) => {
    const { seen, ...ctx } = opts.ctx;
    seen.push({
      stage,
      keys: Object.keys(opts),
      meta: opts.meta,
      input: opts.input,
      ctx,
      path: opts.path,
      type: opts.type,
    });
    return opts.next();
  });

const base = t.procedure.meta({ label: 'base' }).use(observe('first'));

const router = t.router({
  plain: base.query(({ ctx }) => ({ seen: ctx.seen.length })),
  mergesContext: base
    .use(({ next }) => next({ ctx: { tenant: 'acme' } }))
    .use(observe('after merge'))
    .use(({ next }) => next({ ctx: { role: 'owner' } }))
    .query(({ ctx }) => ({ tenant: ctx.tenant, role: ctx.role })),
  validates: base
    .input(z.object({ name: z.string().min(2), count: z.number().default(1) }))
    .use(observe('after input'))
    .output(z.object({ greeting: z.string() }))
    .mutation(({ input }) => ({ greeting: `${input.name} ×${input.count}` })),
  badOutput: base.output(z.object({ n: z.number() })).query(() => ({ n: 'not a number' }) as never),
  // The output middleware is not the last: what runs after it sees the same, and its data is parsed.
  transformsOutput: base
    .output(z.object({ n: z.number().transform((n) => n * 2) }))
    .use(observe('after output'))
    .query(() => ({ n: 21, extra: 'stripped' })),
  outputAfterRefusal: base
    .output(z.object({ n: z.number() }))
    .use(() => {
      throw new TRPCError({ code: 'CONFLICT', message: 'taken' });
    })
    .query(() => ({ n: 1 })),
  outputAfterForgottenNext: base
    .output(z.object({ n: z.number() }))
    .use((async () => undefined) as never)
    .query(() => ({ n: 1 })),
  overridesInput: base
    .use(({ next }) => next({ input: { replaced: true } }))
    .use(observe('after input override'))
    .query(({ input }) => input),
  overridesRawInput: base
    .use(({ next }) => next({ getRawInput: async () => ({ name: 'from override' }) }))
    .input(z.object({ name: z.string() }))
    .query(({ input }) => input.name),
  refuses: base.query(() => {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'not yours' });
  }),
  crashes: base
    .use(() => {
      throw new Error('database exploded');
    })
    .query(() => 'unreachable'),
  forgetsNext: base.use((async () => undefined) as never).query(() => 'unreachable'),
  ownCaller: t.procedure
    .experimental_caller(async ({ args, invoke, _def }) => ({
      viaCaller: _def.type,
      result: await invoke(args[0] as never),
    }))
    .query(() => 'inner') as never,
});

const procedures = router._def.procedures as unknown as Record<string, RawProcedure>;

type Outcome = { data: unknown } | { error: { name: string; code: string; message: string; cause?: string } };

async function run(
  call: (procedure: RawProcedure, opts: ProcedureCallOptions) => Promise<unknown>,
  path: string,
  input: unknown,
): Promise<{ outcome: Outcome; seen: unknown[] }> {
  const procedure = procedures[path];
  if (!procedure) throw new Error(`no ${path}`);
  const seen: unknown[] = [];
  const opts: ProcedureCallOptions = {
    path,
    getRawInput: async () => input,
    ctx: { seen },
    type: procedure._def.type,
    signal: undefined,
    batchIndex: 0,
  };
  try {
    return { outcome: { data: await call(procedure, opts) }, seen };
  } catch (error) {
    const e = error as TRPCError;
    return {
      outcome: {
        error: { name: e.constructor.name, code: e.code, message: e.message, cause: e.cause?.constructor.name },
      },
      seen,
    };
  }
}

const cases: [path: string, input: unknown, expected: (outcome: Outcome) => void][] = [
  ['plain', undefined, (o) => expect(o).toEqual({ data: { seen: 1 } })],
  ['mergesContext', undefined, (o) => expect(o).toEqual({ data: { tenant: 'acme', role: 'owner' } })],
  ['validates', { name: 'Ada' }, (o) => expect(o).toEqual({ data: { greeting: 'Ada ×1' } })],
  ['validates', { name: 'A' }, (o) => expect(o).toMatchObject({ error: { code: 'BAD_REQUEST' } })],
  ['badOutput', undefined, (o) => expect(o).toMatchObject({ error: { code: 'INTERNAL_SERVER_ERROR' } })],
  ['transformsOutput', undefined, (o) => expect(o).toEqual({ data: { n: 42 } })],
  ['outputAfterRefusal', undefined, (o) => expect(o).toMatchObject({ error: { code: 'CONFLICT', message: 'taken' } })],
  [
    'outputAfterForgottenNext',
    undefined,
    (o) => expect(o).toMatchObject({ error: { code: 'INTERNAL_SERVER_ERROR', cause: 'TypeError' } }),
  ],
  ['overridesInput', { original: 1 }, (o) => expect(o).toEqual({ data: { replaced: true } })],
  ['overridesRawInput', { name: 'sent' }, (o) => expect(o).toEqual({ data: 'from override' })],
  ['refuses', undefined, (o) => expect(o).toMatchObject({ error: { code: 'FORBIDDEN', message: 'not yours' } })],
  [
    'crashes',
    undefined,
    (o) =>
      expect(o).toMatchObject({
        error: { code: 'INTERNAL_SERVER_ERROR', message: 'database exploded', cause: 'Error' },
      }),
  ],
  [
    'forgetsNext',
    undefined,
    (o) =>
      expect(o).toMatchObject({
        error: { code: 'INTERNAL_SERVER_ERROR', message: expect.stringContaining('No result') },
      }),
  ],
  ['ownCaller', undefined, (o) => expect(o).toEqual({ data: { viaCaller: 'query', result: 'inner' } })],
];

describe('invokeProcedure', () => {
  it.each(cases)('%s(%j) answers and observes exactly what tRPC does', async (path, input, expected) => {
    const byTrpc = await run((procedure, opts) => procedure(opts), path, input);
    const byInvoker = await run(invokeProcedure, path, input);
    expected(byTrpc.outcome);
    expect(byInvoker.outcome).toEqual(byTrpc.outcome);
    expect(byInvoker.seen).toEqual(byTrpc.seen);
    // Every procedure but the one with its own caller passes the observing middleware.
    if (path !== 'ownCaller') expect(byTrpc.seen.length).toBeGreaterThan(0);
  });

  it('covers every procedure of the test router', () => {
    expect(new Set(cases.map(([path]) => path))).toEqual(new Set(Object.keys(procedures)));
  });
});
