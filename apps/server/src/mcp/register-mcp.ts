import {
  isInitializeRequest,
  isJSONRPCRequest,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import { authenticate, createCaller, withOwnBatch } from '@taskwire/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asTrpcError, failureHeaders, recordFailure, statusOf } from '../doors/failure.js';
import { authInfoFor, createMcpServer } from './mcp-server.js';
import { MultiplexTransport } from './multiplex-transport.js';
import { MCP_TOOL_NAMES } from './tools.js';

// MCP (Streamable HTTP, stateless, JSON answers) at /mcp through the official SDK's server, one per
// process. The user is the bearer token's, exactly as on /trpc: a tool has no user argument, and
// it calls the procedures through createCaller with the request's context, so scoping, limits and
// rules are theirs. A request is checked and charged once, for every call it carries; its calls
// run one at a time, and its answers are bounded in size.

export interface McpOptions {
  /** Most JSON-RPC messages in one request (a batch). */
  maxBatchSize: number;
  /** Bytes of JSON one request's answers may take; calls past it are refused unrun. */
  maxAnswerBytes?: number;
}

const DEFAULT_MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** The MCP methods a request carries, as metric and log labels (`mcp:add_task`, `mcp:tools/list`). */
function mcpLabels(messages: unknown[]): string[] {
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

const jsonRpcError = (code: number, message: string, id: string | number | null = null) => ({
  jsonrpc: '2.0' as const,
  error: { code, message },
  id,
});

/** The transport-level checks the SDK's own HTTP transport makes, with its statuses and codes. */
function refusal(req: FastifyRequest, messages: unknown[], maxBatchSize: number) {
  const accept = req.headers.accept ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    return [
      406,
      jsonRpcError(-32000, 'Not Acceptable: Client must accept both application/json and text/event-stream'),
    ] as const;
  }
  if (req.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase() !== 'application/json') {
    return [415, jsonRpcError(-32000, 'Unsupported Media Type: Content-Type must be application/json')] as const;
  }
  if (messages.length === 0 || messages.length > maxBatchSize) {
    return [400, jsonRpcError(-32600, `Invalid Request: send 1 to ${maxBatchSize} messages per request`)] as const;
  }
  if (!messages.every((message) => JSONRPCMessageSchema.safeParse(message).success)) {
    return [400, jsonRpcError(-32700, 'Parse error: Invalid JSON-RPC message')] as const;
  }
  if (messages.some(isInitializeRequest) && messages.length > 1) {
    return [400, jsonRpcError(-32600, 'Invalid Request: Only one initialization request is allowed')] as const;
  }
  const version = req.headers['mcp-protocol-version'];
  if (
    typeof version === 'string' &&
    !messages.some(isInitializeRequest) &&
    !SUPPORTED_PROTOCOL_VERSIONS.includes(version)
  ) {
    return [400, jsonRpcError(-32000, `Bad Request: Unsupported protocol version: ${version}`)] as const;
  }
  return null;
}

export async function mcpDoor(
  app: FastifyInstance,
  { maxBatchSize, maxAnswerBytes = DEFAULT_MAX_ANSWER_BYTES }: McpOptions,
): Promise<void> {
  const transport = new MultiplexTransport();
  const server = createMcpServer();
  await server.connect(transport);
  app.addHook('onClose', () => server.close());

  // RFC 9728's document for this resource is served by oauth/ (discovery.ts).
  app.post('/mcp', { config: { resourceMetadata: true } }, async (req, reply) => {
    const messages: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
    req.procedures = mcpLabels(messages);
    const refused = refusal(req, messages, maxBatchSize);
    if (refused) return reply.code(refused[0]).send(refused[1]);
    const parsed = messages as JSONRPCMessage[];
    // Every call the request carries is charged, as the calls of a tRPC batch are.
    // The audience: OAuth tokens issued for this resource (RFC 8707) count here, and only here.
    const origin = app.originOf(req);
    const audience = origin ? `${origin}/mcp` : null;
    const ctx = await app.contextFor(req, Math.max(1, parsed.filter(isJSONRPCRequest).length), null, audience);
    try {
      await authenticate(ctx);
    } catch (cause) {
      return refuse(req, reply, cause);
    }
    const scope = {
      callerFor: (options: { dryRun: boolean }) => createCaller(withOwnBatch(ctx, options)),
      requestId: req.id,
      onFailure: (error: Parameters<typeof recordFailure>[1], tool: string) => recordFailure(req, error, `mcp:${tool}`),
    };
    const answers = await transport.exchange(
      parsed,
      { authInfo: authInfoFor(req.headers.authorization ?? '', scope) },
      { bytesLeft: maxAnswerBytes },
      (id) =>
        jsonRpcError(
          -32000,
          'The answers so far are as large as one request may take: send the rest in another request',
          id,
        ) as JSONRPCMessage,
    );
    if (answers.length === 0) return reply.code(202).send();
    return reply
      .code(200)
      .header('content-type', 'application/json')
      .send(Array.isArray(req.body) ? answers : answers[0]);
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

/** A request refused before its calls ran (no live token, the rate limit, an outage), by the failure policy. */
function refuse(req: FastifyRequest, reply: FastifyReply, cause: unknown) {
  const error = asTrpcError(cause);
  recordFailure(req, error);
  const status = statusOf(error);
  const message =
    error.code === 'UNAUTHORIZED'
      ? 'Sign in required: send Authorization: Bearer <access token>'
      : status >= 500
        ? 'The service is temporarily unavailable'
        : error.message;
  return reply
    .code(status)
    .headers(failureHeaders([error]))
    .send(jsonRpcError(error.code === 'UNAUTHORIZED' ? -32001 : -32000, message));
}
