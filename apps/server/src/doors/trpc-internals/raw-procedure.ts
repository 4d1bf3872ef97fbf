import { isObject, TRPCError } from '@trpc/server/unstable-core-do-not-import';

// What the fast handlers share: a procedure as the router holds it, and how a request's input is
// read, exactly as tRPC's own HTTP handler reads it.

export type ProcedureType = 'query' | 'mutation' | 'subscription';

/** tRPC's internal options for one procedure call. */
export interface ProcedureCallOptions {
  path: string;
  getRawInput: () => Promise<unknown>;
  ctx: unknown;
  type: ProcedureType;
  signal: AbortSignal | undefined;
  batchIndex: number;
}

/** A procedure as the router holds it: callable with tRPC's internal call options. */
export type RawProcedure = ((opts: ProcedureCallOptions) => Promise<unknown>) & { _def: { type: ProcedureType } };

/** `decodeURIComponent`, refusing a malformed escape as tRPC does (BAD_REQUEST, not a 500). */
export function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch (cause) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `Invalid URL-encoding in path "${path}"`, cause });
  }
}

/** The JSON in a GET's `input` query parameter (undefined when absent), refused as tRPC refuses it. */
export function parseQueryInput(input: unknown): unknown {
  if (typeof input !== 'string' || input === '') return undefined;
  try {
    return JSON.parse(input);
  } catch (cause) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: cause instanceof Error ? cause.message : 'Invalid input',
      cause,
    });
  }
}

/** A request's raw input split by call: `{ 0: input }`, or a batch's object keyed by index. */
export function inputsByCall(raw: unknown, calls: number, isBatch: boolean): Record<number, unknown> {
  if (raw === undefined) return {};
  if (!isBatch) return { 0: raw };
  if (!isObject(raw)) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: '"input" needs to be an object when doing a batch call' });
  }
  const byIndex: Record<number, unknown> = {};
  for (let index = 0; index < calls; index++) if (raw[index] !== undefined) byIndex[index] = raw[index];
  return byIndex;
}
