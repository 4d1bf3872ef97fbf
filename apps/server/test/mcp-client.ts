import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RunningServer } from './harness.js';

// MCP through the SDK's own client, as Claude Desktop or the Inspector would connect, for the MCP tests.

/** The SDK's client connected to `/mcp`, with the token when given. */
export async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'taskwire-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} },
  });
  await client.connect(transport);
  return client;
}

/** A new account, with a tRPC client and an MCP client signed in as it. */
export async function signUp(server: RunningServer, email: string) {
  const auth = await server.client().auth.signUp.mutate({ email, password: `password of ${email}` });
  return { ...auth, trpc: server.client(auth.accessToken), mcp: await connect(server.url, auth.accessToken) };
}

export type ToolAnswer = {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
};

/** Calls a tool; a tool error is an answer (`isError`), not a rejection. */
export const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as ToolAnswer;

/** The answer's text, as the model reads it. */
export const textOf = (answer: ToolAnswer) => answer.content.map((part) => part.text ?? '').join('\n');
