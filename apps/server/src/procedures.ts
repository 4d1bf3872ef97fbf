import { appRouter, type createCaller, type RouterOutputs } from '@taskwire/api';
import type { AnyProcedure } from '@trpc/server';
import type { z } from 'zod';

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
// Typed as the nested router, but keyed by full path ('task.list') at run time.
const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;

/** The zod schema the procedure itself validates its input with; undefined when it takes none. */
export function procedureInputSchema(path: ProcedurePath): z.ZodType | undefined {
  const procedure = procedures[path];
  if (!procedure) throw new Error(`No procedure ${path}`);
  return procedure._def.inputs[0] as z.ZodType | undefined;
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
