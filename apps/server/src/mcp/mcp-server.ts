import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { createCaller } from '@taskwire/api';
import type { TRPCError } from '@trpc/server';
import { callTool } from './call-tool.js';
import { MCP_TOOLS, toolInputSchema, toolOutputSchema } from './tools.js';

// The process's one MCP server (the SDK's), with the tools. Who calls is the request's, carried
// with each message: the HTTP door puts the request's caller in `authInfo.extra`.

const INSTRUCTIONS =
  "Taskwire manages the signed-in user's tasks (a todo list), in projects: the user's own Inbox and projects shared with other people, where the user is owner, editor or viewer (list_projects). Add, list, search, update, assign, move, complete, reopen and delete tasks, and list tags. Every writing tool takes dryRun: true to show the change first without making it; list_activity shows who changed what, and undo_changes puts a batch of changes back. Everything acts for the user the access token belongs to.";

const LISTED_TOOLS = MCP_TOOLS.map((tool) => ({
  name: tool.name,
  title: tool.title,
  description: tool.description,
  inputSchema: toolInputSchema(tool),
  outputSchema: toolOutputSchema(tool),
  annotations: { title: tool.title, openWorldHint: false, ...tool.annotations },
}));
const TOOLS_BY_NAME = new Map(MCP_TOOLS.map((tool) => [tool.name, tool]));

/** What the HTTP door hands each message: the request's caller, its id, and where tool failures are logged. */
export interface McpRequestScope {
  /** A caller for one tool call: its own batch (one undo), and a dry run when asked. */
  callerFor: (options: { dryRun: boolean }) => ReturnType<typeof createCaller>;
  requestId: string;
  /** The failure policy, for a tool's failure. */
  onFailure: (error: TRPCError, tool: string) => void;
}

/** The AuthInfo the SDK carries to the handlers for one HTTP request. */
export function authInfoFor(token: string, scope: McpRequestScope): AuthInfo {
  return { token, clientId: 'taskwire', scopes: [], extra: { scope } };
}

const scopeOf = (authInfo: AuthInfo | undefined): McpRequestScope => {
  const scope = authInfo?.extra?.scope as McpRequestScope | undefined;
  // The door authenticates every request before any message reaches the server.
  if (!scope) throw new McpError(ErrorCode.InternalError, 'No caller for this request');
  return scope;
};

export function createMcpServer(): Server {
  const server = new Server(
    { name: 'taskwire', version: '1.0.0' },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: LISTED_TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = TOOLS_BY_NAME.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    const scope = scopeOf(extra.authInfo);
    return callTool(tool, request.params.arguments, scope.callerFor, {
      requestId: scope.requestId,
      onFailure: (error) => scope.onFailure(error, tool.name),
    });
  });
  return server;
}
