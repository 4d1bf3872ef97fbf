import { appRouter, type Context, type createCaller, type RouterOutputs } from '@taskwire/api';
import type { z } from 'zod';
import { invokeProcedure } from './invoke.js';
import type { ProcedureType, RawProcedure } from './raw-procedure.js';

// The router's procedures by path ('task.list'), read once from the router's definition: the one
// place outside the fast handlers that reads tRPC's internals. Every door looks procedures up here.

/** `'task.list'`, `'auth.signIn'`, …: every procedure of the app router. */
export type ProcedurePath = {
  [Domain in keyof RouterOutputs & string]: `${Domain}.${keyof RouterOutputs[Domain] & string}`;
}[keyof RouterOutputs & string];

export type ProcedureOutput<Path extends ProcedurePath> = Path extends `${infer Domain}.${infer Name}`
  ? Domain extends keyof RouterOutputs
    ? Name extends keyof RouterOutputs[Domain]
      ? RouterOutputs[Domain][Name]
      : never
    : never
  : never;

type Caller = ReturnType<typeof createCaller>;
type Definition = { type: ProcedureType; inputs: unknown[]; output?: { schema?: z.ZodType } };

// Typed as the nested router, but keyed by full path ('task.list') at run time.
const procedures = appRouter._def.procedures as unknown as Record<string, RawProcedure & { _def: Definition }>;

/** Every procedure path, for metrics labels and the role matrix. */
export const PROCEDURE_PATHS: ReadonlySet<string> = new Set(Object.keys(procedures));

/** The procedure at `path` as tRPC calls it, or undefined for an unknown path. */
export function rawProcedure(path: string): RawProcedure | undefined {
  return Object.hasOwn(procedures, path) ? procedures[path] : undefined;
}

/** Whether `path` names a procedure of this type. */
export function procedureType(path: string): ProcedureType | undefined {
  return rawProcedure(path)?._def.type;
}

function definition(path: ProcedurePath): Definition {
  const procedure = procedures[path];
  if (!procedure) throw new Error(`No procedure ${path}`);
  return procedure._def;
}

/** The zod schema the procedure itself validates its input with; undefined when it takes none. */
export function procedureInputSchema(path: ProcedurePath): z.ZodType | undefined {
  return definition(path).inputs[0] as z.ZodType | undefined;
}

/** The zod schema of what the procedure answers (declared with the API's `output()`). */
export function procedureOutputSchema(path: ProcedurePath): z.ZodType {
  const schema = definition(path).output?.schema;
  if (!schema) throw new Error(`${path} declares no output schema`);
  return schema;
}

/** Calls a procedure by its path, exactly as `caller.task.list(input)` would. */
export function callProcedure(caller: Caller, path: ProcedurePath, input: unknown): Promise<unknown> {
  const [domain = '', name = ''] = path.split('.');
  const call = (caller as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[domain]?.[
    name
  ];
  if (!call) throw new Error(`No procedure ${path}`);
  return call(input);
}

/**
 * The same call as `callProcedure(createCaller(ctx), path, input)`, without the caller's proxy and
 * path lookup: the REST door's hot path.
 */
export function callProcedureWith(ctx: Context, path: ProcedurePath, input: unknown): Promise<unknown> {
  const procedure = rawProcedure(path);
  if (!procedure) throw new Error(`No procedure ${path}`);
  return invokeProcedure(procedure, {
    path,
    getRawInput: async () => input,
    ctx,
    type: procedure._def.type,
    signal: undefined,
    batchIndex: 0,
  });
}
