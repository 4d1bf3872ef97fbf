import { type createCaller, fieldErrorsOf, summariseInputErrors } from '@taskwire/api';
import { TRPCError } from '@trpc/server';
import { callProcedure } from '../procedures.js';
import type { McpTool } from './tools.js';

type Caller = ReturnType<typeof createCaller>;

/** What tools/call answers: a result a model reads, never a protocol error. */
export interface ToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

const failure = (text: string): ToolResult => ({ content: [{ type: 'text', text }], isError: true });

/** A procedure's error in words for a model, with the procedure's field names turned into the tool's. */
function toolFailure(tool: McpTool, error: unknown, requestId: string): { result: ToolResult; internal: boolean } {
  const argumentOf = Object.fromEntries(Object.entries(tool.fields).map(([argument, field]) => [field, argument]));
  if (!(error instanceof TRPCError) || error.code === 'INTERNAL_SERVER_ERROR') {
    return {
      result: failure(`The tool failed on the server (request ${requestId}); try again later.`),
      internal: true,
    };
  }
  if (error.code === 'NOT_FOUND') return { result: failure('Task not found'), internal: false };
  const invalid = error.code === 'BAD_REQUEST' ? fieldErrorsOf(error.cause) : null;
  if (invalid) {
    const problems = summariseInputErrors(invalid, (field) => argumentOf[field] ?? field);
    return { result: failure(`Invalid arguments: ${problems}`), internal: false };
  }
  // The procedures' own messages for what the caller did (quota, conflict, rate limit) are for clients.
  return { result: failure(error.message), internal: false };
}

/**
 * Runs one tool for the caller: unknown arguments are refused, the rest become the procedure's
 * input, and the procedure (with its validation, rules and user scoping) does the work.
 */
export async function callTool(
  tool: McpTool,
  args: Record<string, unknown> | undefined,
  caller: Caller,
  context: { requestId: string; logError: (error: unknown) => void },
): Promise<ToolResult> {
  const given = args ?? {};
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(tool.fields, name));
  if (unknown.length > 0) {
    const takes = Object.keys(tool.fields);
    return failure(
      `Invalid arguments: unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; ${tool.name} takes ${takes.length ? takes.join(', ') : 'no arguments'}`,
    );
  }
  const input: Record<string, unknown> = { ...tool.fixed };
  for (const [argument, value] of Object.entries(given)) input[tool.fields[argument] ?? argument] = value;
  try {
    // A procedure without input (tag.list) is called without one, as tRPC clients do.
    const takesInput = Object.keys(tool.fields).length > 0 || tool.fixed !== undefined;
    const raw = await callProcedure(caller, tool.procedure, takesInput ? input : undefined);
    const structuredContent = tool.answer ? tool.answer(raw) : (raw as Record<string, unknown>);
    return { content: [{ type: 'text', text: tool.summary(structuredContent) }], structuredContent };
  } catch (error) {
    const { result, internal } = toolFailure(tool, error, context.requestId);
    if (internal) context.logError(error);
    return result;
  }
}
