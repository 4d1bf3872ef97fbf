import { type createCaller, fieldErrorsOf, summariseInputErrors } from '@taskwire/api';
import type { TRPCError } from '@trpc/server';
import { asTrpcError } from '../doors/failure.js';
import { callProcedure } from '../doors/trpc-internals/procedures.js';
import { projectNames } from './project-names.js';
import { DRY_RUN_ARGUMENT, type McpTool, toolAnswer, writes } from './tools.js';

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
function toolFailure(tool: McpTool, error: TRPCError, requestId: string): ToolResult {
  const argumentOf = Object.fromEntries(Object.entries(tool.fields).map(([argument, field]) => [field, argument]));
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    return failure(`The tool failed on the server (request ${requestId}); try again later.`);
  }
  // The procedure says what was not found (`Task not found`, `Project not found`), and no more.
  if (error.code === 'NOT_FOUND') return failure(error.message);
  const invalid = error.code === 'BAD_REQUEST' ? fieldErrorsOf(error.cause) : null;
  if (invalid) {
    const problems = summariseInputErrors(invalid, (field) => argumentOf[field] ?? field);
    return failure(`Invalid arguments: ${problems}`);
  }
  // The procedures' own messages for what the caller did (quota, conflict, rate limit) are for clients.
  return failure(error.message);
}

/** The task a dry run would change, as it is now (for the tools that name one). */
async function taskBefore(tool: McpTool, caller: Caller, input: Record<string, unknown>): Promise<unknown> {
  if (tool.fields.taskId !== 'id') return undefined;
  return callProcedure(caller, 'task.get', { id: input.id });
}

/** The procedure and fields for these arguments (the tool's, or its alternative's), or why neither fits. */
function chooseProcedure(
  tool: McpTool,
  given: Record<string, unknown>,
): { procedure: McpTool['procedure']; fields: Record<string, string> } | string {
  const alternative = tool.alternative;
  if (!alternative) return { procedure: tool.procedure, fields: tool.fields };
  const usesAlternative = Object.hasOwn(given, alternative.argument);
  if (usesAlternative === Object.hasOwn(given, alternative.instead)) {
    return `Invalid arguments: give exactly one of ${alternative.instead} or ${alternative.argument}`;
  }
  return usesAlternative ? alternative : { procedure: tool.procedure, fields: tool.fields };
}

/**
 * Runs one tool for the caller: unknown arguments are refused, the rest become the procedure's
 * input, and the procedure (with its validation, rules and user scoping) does the work. Each call
 * is a batch of its own (one undo); a writing tool's `dryRun: true` runs it and rolls it back,
 * answering the task before and after.
 */
export async function callTool(
  tool: McpTool,
  args: Record<string, unknown> | undefined,
  callerFor: (options: { dryRun: boolean }) => Caller,
  context: { requestId: string; onFailure: (error: TRPCError) => void },
): Promise<ToolResult> {
  const { [DRY_RUN_ARGUMENT]: dryRunArgument, ...given } = args ?? {};
  const chosen = chooseProcedure(tool, given);
  if (typeof chosen === 'string') return failure(chosen);
  const { procedure, fields } = chosen;
  const takesDryRun = writes(tool);
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(fields, name));
  if (dryRunArgument !== undefined && !takesDryRun) unknown.push(DRY_RUN_ARGUMENT);
  if (unknown.length > 0) {
    const takes = [...Object.keys(fields), ...(takesDryRun ? [DRY_RUN_ARGUMENT] : [])];
    const via = procedure === tool.procedure ? '' : ` with ${tool.alternative?.argument}`;
    return failure(
      `Invalid arguments: unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; ${tool.name}${via} takes ${takes.length ? takes.join(', ') : 'no arguments'}`,
    );
  }
  if (dryRunArgument !== undefined && typeof dryRunArgument !== 'boolean') {
    return failure(`Invalid arguments: ${DRY_RUN_ARGUMENT} must be true or false`);
  }
  const dryRun = dryRunArgument === true;
  const caller = callerFor({ dryRun });
  const input: Record<string, unknown> = { ...tool.fixed };
  for (const [argument, value] of Object.entries(given)) input[fields[argument] ?? argument] = value;
  try {
    const before = dryRun ? await taskBefore(tool, caller, input) : undefined;
    // A procedure without input (tag.list) is called without one, as tRPC clients do.
    const takesInput = Object.keys(fields).length > 0 || tool.fixed !== undefined;
    const raw = await callProcedure(caller, procedure, takesInput ? input : undefined);
    const answer = toolAnswer(tool, raw);
    const structuredContent = dryRun ? { ...answer, dryRun: true, ...dryRunChange(procedure, before, answer) } : answer;
    const project = await projectNames(caller, tool.projectsIn?.(answer) ?? []);
    const summary = tool.summary(answer, project);
    return {
      content: [{ type: 'text', text: dryRun ? `Dry run, nothing was written. It would have: ${summary}` : summary }],
      structuredContent,
    };
  } catch (cause) {
    const error = asTrpcError(cause);
    context.onFailure(error);
    return toolFailure(tool, error, context.requestId);
  }
}

/** A dry run's `before` and `after`: the task as it is, and as the call would leave it (null once deleted). */
function dryRunChange(procedure: McpTool['procedure'], before: unknown, answer: Record<string, unknown>) {
  if (procedure === 'task.create' || procedure === 'task.quickAdd') return { before: null, after: answer };
  if (before === undefined) return {};
  return { before, after: procedure === 'task.delete' ? null : answer };
}
