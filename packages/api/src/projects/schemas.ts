import { z } from 'zod';
import { PROJECT_ROLES } from '../access/roles.js';
import { emailSchema } from '../auth/schemas.js';
import { noNul } from '../text.js';

export const PROJECT_NAME_MAX = 100;

const name = noNul(z.string().trim().min(1, 'Name must not be empty').max(PROJECT_NAME_MAX));
/** A color as a client names it: `#4f46e5`, or a palette name such as `berry_red`. */
const color = z
  .string()
  .regex(/^[#A-Za-z0-9_-]{1,32}$/, 'A color is a hex code such as #4f46e5 or a name such as berry_red')
  .nullable();
const role = z.enum(PROJECT_ROLES);
/** The roles an invitation or a role change may give; `owner` is given by a transfer. */
const memberRole = z.enum(['editor', 'viewer']);

export const projectIdInput = z.strictObject({ id: z.uuid() });
export const createProjectInput = z.strictObject({ name, color: color.optional() });
export const updateProjectInput = z
  .strictObject({ id: z.uuid(), name: name.optional(), color: color.optional() })
  .refine((input) => input.name !== undefined || input.color !== undefined, { message: 'Nothing to update' });

export const membersInput = z.strictObject({ projectId: z.uuid() });
export const inviteInput = z.strictObject({ projectId: z.uuid(), email: emailSchema, role: memberRole });
export const invitationIdInput = z.strictObject({ invitationId: z.uuid() });
/** `owner` transfers the project: the member becomes its owner and the old owner an editor. */
export const setRoleInput = z.strictObject({ projectId: z.uuid(), userId: z.uuid(), role });
export const memberInput = z.strictObject({ projectId: z.uuid(), userId: z.uuid() });

/** A project as its member sees it. */
export const projectSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  color: z.string().nullable(),
  /** The member's own Inbox: never shared, never deleted. */
  inbox: z.boolean(),
  /** The caller's role: a viewer reads, an editor also writes tasks, the owner also manages the project. */
  role,
  memberCount: z.int(),
  openTaskCount: z.int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Project = z.infer<typeof projectSchema>;

export const memberSchema = z.object({
  userId: z.uuid(),
  /** Null for an account created by an identity provider without one. */
  email: z.string().nullable(),
  role,
  joinedAt: z.iso.datetime(),
});
export type Member = z.infer<typeof memberSchema>;

/** What inviting answers, whether or not an account has that email yet. */
export const sentInvitationSchema = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  email: z.string(),
  role: memberRole,
  createdAt: z.iso.datetime(),
});
export type SentInvitation = z.infer<typeof sentInvitationSchema>;

/** An invitation waiting for the caller. */
export const invitationSchema = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  projectName: z.string(),
  /** The inviter's email. */
  invitedBy: z.string().nullable(),
  role: memberRole,
  createdAt: z.iso.datetime(),
});
export type Invitation = z.infer<typeof invitationSchema>;
