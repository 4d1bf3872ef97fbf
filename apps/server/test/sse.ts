// A Server-Sent Events reader for tests: fetch with the headers a test chooses, frames parsed as
// they arrive, comments (pings) counted apart.

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The next frame with data (or an event name), waiting at most `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseFrame>;
  /** Frames that arrive within `ms`. */
  drain(ms: number): Promise<SseFrame[]>;
  /** Whether the server ended the stream. */
  readonly ended: boolean;
  comments: number;
  /** Every byte received so far, as text. */
  readonly text: string;
  close(): void;
}

function parse(block: string): SseFrame | 'comment' | null {
  const frame: SseFrame = { data: '' };
  let fields = 0;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields++;
    if (name === 'id') frame.id = value;
    else if (name === 'event') frame.event = value;
    else if (name === 'data') frame.data = frame.data ? `${frame.data}\n${value}` : value;
    else fields--;
  }
  if (fields === 0) return block.trim().startsWith(':') ? 'comment' : null;
  return frame;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const queue: SseFrame[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let buffer = '';
  let text = '';
  const stream: SseStream = {
    status: response.status,
    headers: response.headers,
    comments: 0,
    get ended() {
      return ended;
    },
    get text() {
      return text;
    },
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = queue.shift();
        if (frame) return frame;
        if (ended) throw new Error('the stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    async drain(ms) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return queue.splice(0);
    },
    close: () => abort.abort(),
  };
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        const decoded = decoder.decode(chunk.value, { stream: true });
        text += decoded;
        buffer += decoded;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const parsed = parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (parsed === 'comment') stream.comments++;
          else if (parsed) queue.push(parsed);
          end = buffer.indexOf('\n\n');
        }
        wake?.();
      }
    } catch {
      // Aborted by close(), or the connection dropped.
    }
    ended = true;
    wake?.();
  })();
  return stream;
}
