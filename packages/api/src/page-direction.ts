import { z } from 'zod';

/**
 * `direction` on paged inputs. tRPC's `infiniteQueryOptions` (TanStack Query) adds it to the input of
 * every page it fetches; pages here only go forward (follow `nextCursor`), so 'backward', which
 * TanStack sends only when asked for a previous page, is a BAD_REQUEST that says so.
 */
export const pageDirection = z
  .enum(['forward', 'backward'])
  .refine((direction) => direction === 'forward', {
    message: 'Only forward paging is supported: follow nextCursor (there is no previous page cursor)',
  })
  .optional()
  .describe("Sent by TanStack's infinite queries; only 'forward' is supported");
