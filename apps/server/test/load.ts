// A small closed-loop load generator for fault tests: N workers send a mix of task.list and
// task.create (with client-generated ids, so the database can say afterwards which creates
// happened) to one server, on loopback, until stopped. Every request carries its own request id.

export type Outcome =
  /** 2xx: the server did the work and said so. */
  | 'ok'
  /** The server refused before doing anything: connection refused, or 503. */
  | 'refused'
  /** Anything else: a reset mid-request, a 5xx other than 503, an unexpected status. */
  | 'failed';

export interface Sent {
  kind: 'list' | 'create';
  requestId: string;
  taskId?: string;
  status?: number;
  errorCode?: string;
  outcome: Outcome;
  at: number;
}

function classify(status: number | undefined, errorCode: string | undefined): Outcome {
  if (status !== undefined) return status >= 200 && status < 300 ? 'ok' : status === 503 ? 'refused' : 'failed';
  return errorCode === 'ECONNREFUSED' ? 'refused' : 'failed';
}

/** The error code at the bottom of a fetch failure (undici wraps the socket error). */
function rootCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

export interface Load {
  sent: Sent[];
  stop(): Promise<void>;
}

/** Starts `workers` loops against `baseUrl` as the holder of `token`. */
export function startLoad(baseUrl: string, token: string, workers: number): Load {
  const sent: Sent[] = [];
  let running = true;
  let sequence = 0;
  const loop = async (worker: number) => {
    while (running) {
      const kind = (sequence++ + worker) % 2 === 0 ? 'list' : 'create';
      const requestId = `load-${worker}-${sequence}`;
      const taskId = kind === 'create' ? crypto.randomUUID() : undefined;
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-request-id': requestId };
      let status: number | undefined;
      let errorCode: string | undefined;
      try {
        const response =
          kind === 'list'
            ? await fetch(`${baseUrl}/trpc/task.list`, { headers })
            : await fetch(`${baseUrl}/trpc/task.create`, {
                method: 'POST',
                headers: { ...headers, 'content-type': 'application/json' },
                body: JSON.stringify({ id: taskId, title: `load ${requestId}` }),
              });
        status = response.status;
        await response.arrayBuffer();
      } catch (error) {
        errorCode = rootCode(error);
      }
      const outcome = classify(status, errorCode);
      sent.push({ kind, requestId, ...(taskId && { taskId }), status, errorCode, outcome, at: Date.now() });
      // Once the server is gone, back off instead of spinning on refused connections.
      if (outcome !== 'ok') await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const loops = Array.from({ length: workers }, (_, worker) => loop(worker));
  return {
    sent,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
