import { z } from 'zod';
import { noNul } from '../text.js';

/** What a token may do: read tasks, or read and write them. */
export const TOKEN_SCOPES = ['tasks:read', 'tasks:write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const createTokenInput = z.strictObject({
  name: noNul(z.string().trim().min(1, 'Name must not be empty').max(100)),
  /** `tasks:write` implies reading; `['tasks:read']` makes a read-only token. */
  scopes: z
    .array(z.enum(TOKEN_SCOPES))
    .min(1)
    .max(TOKEN_SCOPES.length)
    .transform((scopes) => [...new Set(scopes.includes('tasks:write') ? [...scopes, 'tasks:read'] : scopes)].sort()),
  /** Only these projects (the user's own or shared with them); absent: all of them, now and later. */
  projectIds: z.array(z.uuid()).min(1).max(100).optional(),
  /** Absent or null: the token does not expire. */
  expiresInDays: z.int().min(1).max(366).nullish(),
});
export type CreateTokenInput = z.infer<typeof createTokenInput>;

export const tokenIdInput = z.strictObject({ id: z.uuid() });

const tokenFields = {
  id: z.uuid(),
  name: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  projectIds: z.array(z.uuid()).nullable().describe('Null: every project of the user'),
  expiresAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
};

/** What token.create answers: the token itself, shown this once. */
export const createdTokenSchema = z.object({
  ...tokenFields,
  token: z.string().describe('Send as `Authorization: Bearer <token>`; shown only now'),
});
export type CreatedToken = z.infer<typeof createdTokenSchema>;

/** A token as token.list shows it: never the token, only its first characters. */
export const tokenSchema = z.object({
  ...tokenFields,
  prefix: z.string().describe('The first characters of the token, to recognise it'),
  lastUsedAt: z.iso.datetime().nullable(),
});
export type PersonalToken = z.infer<typeof tokenSchema>;
