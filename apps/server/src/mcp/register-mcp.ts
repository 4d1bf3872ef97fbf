import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { createCaller } from '@taskwire/api';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContextFactory } from '../request-context.js';
import { retryAfterSeconds } from '../retry-after.js';
import { callTool } from './call-tool.js';
import { MCP_TOOL_NAMES, MCP_TOOLS, toolInputSchema, toolOutputSchema } from './tools.js';

// MCP (Streamable HTTP, stateless, JSON answers) at /mcp through the official SDK. The user is the
// bearer token's, exactly as on /trpc: a tool has no user argument, and it calls the procedures
// through createCaller with the request's context, so scoping, limits and rules are theirs.

const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';
const INSTRUCTIONS =
  "Taskwire manages the signed-in user's tasks (a todo list): add, list, search, update, complete, reopen and delete tasks, and list tags. Everything acts for the user the access token belongs to.";

const LISTED_TOOLS = MCP_TOOLS.map((tool) => ({
  name: tool.name,
  title: tool.title,
  description: tool.description,
  inputSchema: toolInputSchema(tool),
  outputSchema: toolOutputSchema(tool),
  annotations: { title: tool.title, openWorldHint: false, ...tool.annotations },
}));
const TOOLS_BY_NAME = new Map(MCP_TOOLS.map((tool) => [tool.name, tool]));

/** The MCP methods a request carries, as metric and log labels (`mcp:add_task`, `mcp:tools/list`). */
function mcpLabels(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.map((message) => {
    const { method, params } = (message ?? {}) as { method?: unknown; params?: { name?: unknown } };
    if (method === 'tools/call') {
      return typeof params?.name === 'string' && MCP_TOOL_NAMES.has(params.name) ? `mcp:${params.name}` : 'mcp:unknown';
    }
    return typeof method === 'string' && /^(initialize|ping|tools\/list|notifications\/[a-z/]+)$/.test(method)
      ? `mcp:${method}`
      : 'mcp:other';
  });
}

const jsonRpcError = (code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

export interface McpOptions {
  contextFor: RequestContextFactory;
  /** Issuers of an external identity provider whose tokens the server accepts, for the RFC 9728 document. */
  authorizationServers?: string[];
}

export function registerMcp(app: FastifyInstance, { contextFor, authorizationServers = [] }: McpOptions): void {
  const origin = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

  // RFC 9728: where an MCP client learns how to get a token for this resource.
  app.get(PROTECTED_RESOURCE_PATH, async (req) => ({
    resource: `${origin(req)}/mcp`,
    resource_name: 'Taskwire',
    ...(authorizationServers.length > 0 && { authorization_servers: authorizationServers }),
    bearer_methods_supported: ['header'],
    resource_documentation: `${origin(req)}/docs`,
  }));

  /** Refuses the request unless its token speaks for a user whose session still counts. */
  const refuse = (req: FastifyRequest, reply: FastifyReply, error: unknown) => {
    const failure = error instanceof TRPCError ? error : new TRPCError({ code: 'INTERNAL_SERVER_ERROR' });
    if (failure.code === 'UNAUTHORIZED') {
      const invalid = req.headers.authorization !== undefined ? ', error="invalid_token"' : '';
      return reply
        .code(401)
        .header('www-authenticate', `Bearer resource_metadata="${origin(req)}${PROTECTED_RESOURCE_PATH}"${invalid}`)
        .send(jsonRpcError(-32001, 'Sign in required: send Authorization: Bearer <access token>'));
    }
    const status = getHTTPStatusCodeFromError(failure);
    const retryAfter = retryAfterSeconds(failure);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    if (status >= 500) req.log.error({ err: error }, 'mcp request failed before its tools ran');
    return reply
      .code(status)
      .send(jsonRpcError(-32000, status >= 500 ? 'The service is temporarily unavailable' : failure.message));
  };

  app.post('/mcp', async (req, reply) => {
    req.procedures = mcpLabels(req.body);
    const ctx = await contextFor(req, 1);
    const caller = createCaller(ctx);
    try {
      // The same check every protected procedure makes (a live session, a live account), and the
      // request's one charge against the rate limit.
      await caller.auth.me();
    } catch (error) {
      return refuse(req, reply, error);
    }

    const server = new Server(
      { name: 'taskwire', version: '1.0.0' },
      { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: LISTED_TOOLS }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const tool = TOOLS_BY_NAME.get(request.params.name);
      if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
      return callTool(tool, request.params.arguments, caller, {
        requestId: req.id,
        logError: (error) => req.log.error({ err: error, tool: tool.name }, 'mcp tool failed'),
      });
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    try {
      await server.connect(transport);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(name, value);
        else if (Array.isArray(value)) headers.set(name, value.join(', '));
      }
      const response = await transport.handleRequest(
        new Request(`http://mcp.local${req.url}`, { method: 'POST', headers }),
        {
          parsedBody: req.body,
        },
      );
      reply.code(response.status);
      response.headers.forEach((value, name) => {
        reply.header(name, value);
      });
      const body = await response.text();
      return reply.send(body.length > 0 ? body : undefined);
    } finally {
      await server.close();
    }
  });

  // Stateless: no server-to-client stream (GET) and no session to end (DELETE).
  const notAllowed = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send(jsonRpcError(-32000, 'Method not allowed: this MCP server is stateless; POST to /mcp'));
  app.get('/mcp', notAllowed);
  app.delete('/mcp', notAllowed);
}
