import { z } from 'zod';

/** The position after which the next page starts: the last item's sort key and id. */
export interface TaskCursor {
  createdAt: Date;
  id: string;
}

const cursorPayload = z.tuple([z.iso.datetime(), z.uuid()]);

/** An opaque, URL-safe cursor for the keyset position after `last`. */
export function encodeCursor(last: TaskCursor): string {
  return Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url');
}

/** The position a cursor encodes, or undefined when it is malformed or tampered with. */
export function decodeCursor(cursor: string): TaskCursor | undefined {
  try {
    const parsed = cursorPayload.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { createdAt: new Date(parsed.data[0]), id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}
