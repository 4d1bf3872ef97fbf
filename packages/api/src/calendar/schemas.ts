import { z } from 'zod';

/** Every project the caller can see (absent), or one of them. */
export const feedInput = z.strictObject({ projectId: z.uuid().optional() }).optional();
export type FeedInput = z.infer<typeof feedInput>;

export const feedOutput = z.object({
  url: z.string().describe('A secret iCalendar URL (`…/cal/<token>.ics`): whoever has it reads the feed'),
});

export const revokeFeedOutput = z.object({ revoked: z.literal(true) });
