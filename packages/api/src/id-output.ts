import { z } from 'zod';

/** What deleting, purging or ending one thing answers, in every domain: its id. */
export const idOutput = z.object({ id: z.uuid() });
