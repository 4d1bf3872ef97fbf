import { appRouter } from '@taskwire/api';
import type { z } from 'zod';
import { openSse, type SseFrame } from '../sse.js';

// The security suite talks to the real server the way an attacker would: raw HTTP, no typed
// client. The list of procedures comes from the router itself, so a new one is covered (or the
// suite fails for its missing case) without anyone remembering to add it.

export interface ProcedureInfo {
  path: string;
  type: 'query' | 'mutation';
  /** The zod schema that validates its input, when it takes one. */
  input: z.ZodType | undefined;
}

interface RouterInternals {
  _def: {
    procedures: Record<string, { _def: { type: 'query' | 'mutation' | 'subscription'; inputs: z.ZodType[] } }>;
  };
}

function proceduresOfType(wanted: (type: string) => boolean) {
  const { procedures } = (appRouter as unknown as RouterInternals)._def;
  return Object.entries(procedures)
    .filter(([, procedure]) => wanted(procedure._def.type))
    .map(([path, procedure]) => ({ path, type: procedure._def.type, input: procedure._def.inputs[0] }));
}

/** Every query and mutation of the router, with its type and input schema. */
export function listProcedures(): ProcedureInfo[] {
  return proceduresOfType((type) => type !== 'subscription') as ProcedureInfo[];
}

/** Every subscription (SSE stream) of the router, with its input schema: see `subscribeFor`. */
export function listSubscriptions(): Omit<ProcedureInfo, 'type'>[] {
  return proceduresOfType((type) => type === 'subscription');
}

export interface StreamResponse {
  status: number;
  /** Everything the stream sent while it was read. */
  text: string;
  /** Its events: tRPC's `connected`, data (no event name), `ping`, `serialized-error`, `return`. */
  frames: SseFrame[];
}

/**
 * Opens a subscription as tRPC's httpSubscriptionLink does (GET, `text/event-stream`) and reads
 * it for `ms`, or until it ends or sends an error.
 */
export async function subscribeFor(
  baseUrl: string,
  path: string,
  input: unknown,
  token: string | undefined,
  ms: number,
): Promise<StreamResponse> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const stream = await openSse(`${baseUrl}/trpc/${path}${query}`, token ? { authorization: `Bearer ${token}` } : {});
  const frames: SseFrame[] = [];
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline) {
      const frame = await stream.next(deadline - Date.now());
      frames.push(frame);
      if (frame.event === 'serialized-error') break;
    }
  } catch {
    // Read for `ms`, or the stream ended.
  } finally {
    stream.close();
  }
  return { status: stream.status, text: stream.text, frames };
}

export interface RpcResponse {
  status: number;
  /** The raw body, for "never contains" checks. */
  text: string;
  /** tRPC's `result.data` on success. */
  data: unknown;
  /** tRPC's error (message, code, data) on failure. */
  error: { message: string; data: { code: string; httpStatus: number } } | undefined;
}

/** Calls one procedure over HTTP as tRPC's own client would (GET for queries, POST for mutations). */
export async function rpc(
  baseUrl: string,
  procedure: Pick<ProcedureInfo, 'path' | 'type'>,
  input: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<RpcResponse> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const encoded = input === undefined ? undefined : JSON.stringify(input);
  const response =
    procedure.type === 'query'
      ? await fetch(
          `${baseUrl}/trpc/${procedure.path}${encoded === undefined ? '' : `?input=${encodeURIComponent(encoded)}`}`,
          { headers: { ...auth, ...headers } },
        )
      : await fetch(`${baseUrl}/trpc/${procedure.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth, ...headers },
          ...(encoded !== undefined && { body: encoded }),
        });
  const text = await response.text();
  let parsed: { result?: { data?: unknown }; error?: RpcResponse['error'] } = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (e.g. Node refusing an oversized URL): status and text still tell.
  }
  // Only tRPC's own error objects; a server refusing before tRPC (431, 414) answers its own shape.
  const error = typeof parsed.error === 'object' && parsed.error?.data ? parsed.error : undefined;
  return { status: response.status, text, data: parsed.result?.data, error };
}

/** Shorthand: call a procedure by path. */
export function call(baseUrl: string, path: string, input?: unknown, token?: string, headers?: Record<string, string>) {
  const procedure = listProcedures().find((candidate) => candidate.path === path);
  if (!procedure) throw new Error(`no procedure ${path}`);
  return rpc(baseUrl, procedure, input, token, headers);
}
