import { z } from 'zod';
import { noNul, timestampSchema } from '../text.js';
import type { SortOrder, TaskSort } from './sorts.js';

/** Where the next page starts: the last item's sort key and id, and the sort it belongs to. */
export interface ListCursor {
  sort: TaskSort;
  order: SortOrder;
  /** The sort key of the last item: an ISO timestamp, a priority rank, a lower-cased title, or null (no due date). */
  value: string | number | null;
  id: string;
}

// The same range Postgres accepts, so a hand-made cursor is BAD_REQUEST, not a database error.
const datetime = timestampSchema;

/** An opaque, URL-safe cursor. */
export function encodeCursor(cursor: ListCursor | TrashCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.order, cursor.value, cursor.id])).toString('base64url');
}

/** The cursor's content, or undefined when it is malformed or its values do not fit its sort. */
export function decodeCursor(encoded: string): ListCursor | undefined {
  const decoded = decodeAny(encoded);
  return decoded && decoded.sort !== 'trash' ? (decoded as ListCursor) : undefined;
}

/** The trash is paged by deletion time. */
export interface TrashCursor {
  sort: 'trash';
  order: 'desc';
  value: string;
  id: string;
}

export function decodeTrashCursor(encoded: string): TrashCursor | undefined {
  const decoded = decodeAny(encoded);
  return decoded && decoded.sort === 'trash' ? (decoded as TrashCursor) : undefined;
}

function decodeAny(encoded: string): ListCursor | TrashCursor | undefined {
  try {
    const raw: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    if (!Array.isArray(raw)) return undefined;
    const parsed = tupleFor(raw[0])?.safeParse(raw);
    if (!parsed?.success) return undefined;
    const [sort, order, value, id] = parsed.data as [TaskSort | 'trash', SortOrder, string | number | null, string];
    return { sort, order, value, id } as ListCursor | TrashCursor;
  } catch {
    return undefined;
  }
}

const ORDER = z.enum(['asc', 'desc']);
const TUPLES: Record<string, z.ZodType> = {
  createdAt: z.tuple([z.literal('createdAt'), ORDER, datetime, z.uuid()]),
  updatedAt: z.tuple([z.literal('updatedAt'), ORDER, datetime, z.uuid()]),
  dueAt: z.tuple([z.literal('dueAt'), ORDER, datetime.nullable(), z.uuid()]),
  priority: z.tuple([z.literal('priority'), ORDER, z.int().min(0).max(3), z.uuid()]),
  title: z.tuple([z.literal('title'), ORDER, noNul(z.string().max(200)), z.uuid()]),
  trash: z.tuple([z.literal('trash'), z.literal('desc'), datetime, z.uuid()]),
};

function tupleFor(sort: unknown): z.ZodType | undefined {
  return typeof sort === 'string' && Object.hasOwn(TUPLES, sort) ? TUPLES[sort] : undefined;
}
