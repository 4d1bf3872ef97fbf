import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type MessageExtraInfo,
} from '@modelcontextprotocol/sdk/types.js';

// One SDK server serves every request of the process. The SDK's HTTP transports each serve one
// request when stateless (reuse throws, since two clients' JSON-RPC ids would collide), and a
// server binds one transport, so the process-wide server gets this transport instead: each
// request's messages go in under ids of its own, one at a time, and each answer goes back to the
// request that asked, under the client's id.

type Answer = JSONRPCMessage & { id: string | number };

/** What one HTTP request may still receive, in bytes of JSON. */
export interface AnswerBudget {
  bytesLeft: number;
}

export class MultiplexTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: Transport['onclose'];
  onerror?: Transport['onerror'];
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  private lastId = 0;

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  /** The server's answers; anything it sends on its own (no request of ours) has nowhere to go when stateless. */
  async send(message: JSONRPCMessage): Promise<void> {
    if (!isJSONRPCResultResponse(message) && !isJSONRPCErrorResponse(message)) return;
    const deliver = typeof message.id === 'number' ? this.waiting.get(message.id) : undefined;
    deliver?.(message as Answer);
  }

  /**
   * Passes one request's messages to the server one at a time, in order (a batch never runs its
   * calls side by side), and resolves with the answers to its requests. Once the answers exceed
   * the budget, the requests left are refused unrun, with `refuse`'s error.
   */
  async exchange(
    messages: JSONRPCMessage[],
    extra: MessageExtraInfo,
    budget: AnswerBudget,
    refuse: (id: string | number) => JSONRPCMessage,
  ): Promise<JSONRPCMessage[]> {
    const answers: JSONRPCMessage[] = [];
    for (const message of messages) {
      if (!isJSONRPCRequest(message)) {
        // Notifications go through; responses to requests this stateless server never sent do not.
        if (!('id' in message)) this.onmessage?.(message, extra);
        continue;
      }
      if (budget.bytesLeft <= 0) {
        answers.push(refuse(message.id));
        continue;
      }
      const id = ++this.lastId;
      const answered = new Promise<Answer>((resolve) => this.waiting.set(id, resolve));
      this.onmessage?.({ ...message, id }, extra);
      const answer = { ...(await answered), id: message.id } as JSONRPCMessage;
      this.waiting.delete(id);
      budget.bytesLeft -= JSON.stringify(answer).length;
      answers.push(answer);
    }
    return answers;
  }
}
