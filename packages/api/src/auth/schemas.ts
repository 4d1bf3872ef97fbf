import { z } from 'zod';
import { noNul } from '../text.js';
import { canonicalTimeZone, isValidTimeZone } from '../zoned-time.js';
import { isCommonPassword } from './common-passwords.js';

/** Emails are trimmed and lower-cased before validation, so one address is one account. */
export const emailSchema = noNul(z.string().trim().toLowerCase()).pipe(z.email().max(254));

/** 8–128 characters, compared in full (argon2 does not truncate), and not a commonly breached one. */
export const passwordSchema = z
  .string()
  .min(8)
  .max(128)
  .refine((password) => !isCommonPassword(password), 'This password is too common; choose a less guessable one');

/** A password being checked rather than set: any length up to the cap, so old passwords still work. */
const currentPassword = z.string().min(1).max(128);

export const credentialsInput = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
});

// Sign-in accepts any password length up to the cap, so an old short password gets the
// generic "invalid credentials" answer rather than a hint about the current policy.
export const signInInput = z.strictObject({
  email: noNul(z.string().trim().toLowerCase().max(254)),
  password: currentPassword,
});

/** An IANA time zone name such as Europe/Berlin; recurrences and "due today" use it. */
export const timeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimeZone, { message: 'Unknown time zone: use an IANA name such as Europe/Berlin' })
  .transform((zone) => canonicalTimeZone(zone) ?? zone);

export const updateProfileInput = z.strictObject({ timezone: timeZoneSchema });

export const userSchema = z.object({
  id: z.uuid(),
  /** Null for an account created from an identity provider's token without an email. */
  email: z.string().nullable(),
  timezone: z.string(),
  createdAt: z.iso.datetime(),
});

export type User = z.infer<typeof userSchema>;

/** A signed-in user's tokens: what sign-up, sign-in and refresh answer. */
export const authResultSchema = z.object({
  user: userSchema,
  accessToken: z.string().describe('Send as `Authorization: Bearer <accessToken>`'),
  expiresIn: z.int().describe('Seconds until the access token expires'),
  refreshToken: z.string().describe('Exchange with auth.refresh for new tokens; each refresh token works once'),
});
export type AuthResult = z.infer<typeof authResultSchema>;

/** One signed-in device. */
export const sessionSchema = z.object({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime(),
  userAgent: z.string().nullable(),
  /** The device in words, from its user agent: "Chrome on Linux". */
  device: z.string(),
  ip: z.string().nullable(),
  current: z.boolean().describe('The session of the access token that asked'),
});
export type SessionView = z.infer<typeof sessionSchema>;

export const signedOutOutput = z.object({ ok: z.literal(true) });
export const endedSessionsOutput = z.object({
  endedSessions: z.int().describe('Sessions (devices) that were signed out'),
});
export const accountDeletedOutput = z.object({ deleted: z.literal(true) });

export const changePasswordInput = z.strictObject({ currentPassword, newPassword: passwordSchema });

/** Accounts from an identity provider have no password; they prove themselves with a recent token instead. */
export const deleteAccountInput = z.strictObject({ password: currentPassword.optional() });

export const refreshInput = z.strictObject({ refreshToken: z.string().min(1).max(200) });
export const sessionIdInput = z.strictObject({ id: z.uuid() });
