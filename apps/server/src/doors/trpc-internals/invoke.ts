import {
  getParseFn,
  getTRPCErrorFromUnknown,
  middlewareMarker,
  TRPCError,
} from '@trpc/server/unstable-core-do-not-import';
import type { ProcedureCallOptions, RawProcedure } from './raw-procedure.js';

// A procedure call with tRPC's own semantics, minus its cost: tRPC runs a procedure's middlewares
// through a helper that copies the call options (and merges the context) with a transpiled
// object-spread polyfill at every middleware, 5.7 % of `task.list`'s CPU in `pnpm bench:profile`.
// This walks the same middlewares with native spreads. Whatever a middleware sees (options, meta,
// input, context, `next`'s overrides) and whatever the call returns or throws is what tRPC's
// `createProcedureCaller` gives; test/procedure-invoker.test.ts compares the two.
//
// tRPC's output check is a middleware too, which copies the result twice to put the parsed data
// in: the procedure's one output middleware is run here as it does, with one plain object.

type Options = Record<string, unknown> & ProcedureCallOptions & { input?: unknown };

type MiddlewareResult =
  | { ok: true; data: unknown; marker: typeof middlewareMarker }
  | { ok: false; error: TRPCError; marker: typeof middlewareMarker };

interface NextOptions {
  ctx?: Record<string, unknown>;
  input?: unknown;
  getRawInput?: () => Promise<unknown>;
}

type Middleware = ((opts: Record<string, unknown>) => Promise<MiddlewareResult | undefined>) & { _type?: string };

interface Definition {
  middlewares: Middleware[];
  meta: unknown;
  output?: unknown;
  experimental_caller?: boolean;
}

/** A procedure's output parser, when it has exactly one output middleware (which checks with it). */
const outputParsers = new WeakMap<Definition, ((value: unknown) => unknown) | null>();
function outputParserOf(def: Definition): ((value: unknown) => unknown) | null {
  let parse = outputParsers.get(def);
  if (parse === undefined) {
    const outputs = def.middlewares.filter((middleware) => middleware._type === 'output').length;
    parse = outputs === 1 && def.output !== undefined ? getParseFn(def.output as never) : null;
    outputParsers.set(def, parse);
  }
  return parse;
}

/** tRPC's output middleware: the rest of the chain, then its data parsed with the output parser. */
async function checkOutput(
  index: number,
  def: Definition,
  opts: Options,
  parse: (value: unknown) => unknown,
): Promise<MiddlewareResult> {
  try {
    // Read as tRPC reads it: a chain that ended without a result fails here the same way.
    const result = (await callMiddleware(index + 1, def, opts)) as MiddlewareResult;
    if (!result.ok) return result;
    let data: unknown;
    try {
      data = await parse(result.data);
    } catch (cause) {
      throw new TRPCError({ message: 'Output validation failed', code: 'INTERNAL_SERVER_ERROR', cause });
    }
    return { ok: true, data, marker: middlewareMarker };
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker };
  }
}

async function callMiddleware(index: number, def: Definition, opts: Options): Promise<MiddlewareResult | undefined> {
  // biome-ignore lint/style/noNonNullAssertion: the resolver is the last middleware and never calls next
  const middleware = def.middlewares[index]!;
  if (middleware._type === 'output') {
    const parse = outputParserOf(def);
    if (parse) return checkOutput(index, def, opts, parse);
  }
  try {
    return await middleware({
      ...opts,
      meta: def.meta,
      input: opts.input,
      next: (next?: NextOptions) =>
        callMiddleware(index + 1, def, {
          ...opts,
          ctx: next?.ctx ? { ...(opts.ctx as object), ...next.ctx } : opts.ctx,
          input: next && 'input' in next ? next.input : opts.input,
          getRawInput: next?.getRawInput ?? opts.getRawInput,
        }),
    });
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker };
  }
}

/** Calls `procedure` as `procedure(opts)` would: its data, or the TRPCError it ended in, thrown. */
export async function invokeProcedure(procedure: RawProcedure, opts: ProcedureCallOptions): Promise<unknown> {
  const def = procedure._def as unknown as Definition;
  // A procedure with its own caller (experimental_caller) runs through that caller.
  if (def.experimental_caller || !Array.isArray(def.middlewares)) return procedure(opts);
  const result = await callMiddleware(0, def, opts as Options);
  if (!result) {
    throw new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'No result from middlewares - did you forget to `return next()`?',
    });
  }
  if (!result.ok) throw result.error;
  return result.data;
}
