import { z } from 'zod';
import { idOutput } from '../id-output.js';
import { output } from '../outputs.js';
import { protectedProcedure, router } from '../trpc.js';
import {
  acceptInvitation,
  declineInvitation,
  invite,
  leaveProject,
  listInvitations,
  listMembers,
  removeMember,
  setRole,
} from './members.js';
import { createProject, deleteProject, getProject, listProjects, updateProject } from './queries.js';
import {
  createProjectInput,
  invitationIdInput,
  invitationSchema,
  inviteInput,
  memberInput,
  memberSchema,
  membersInput,
  projectIdInput,
  projectSchema,
  sentInvitationSchema,
  setRoleInput,
  updateProjectInput,
} from './schemas.js';

// A project the caller is not a member of is NOT_FOUND, exactly as one that does not exist; a
// member without the right gets FORBIDDEN (it already knows the project exists).

const membership = z.object({ projectId: z.uuid(), userId: z.uuid() });

export const projectRouter = router({
  /** The caller's projects, Inbox first. */
  list: protectedProcedure.output(output(z.array(projectSchema))).query(({ ctx }) => listProjects(ctx.db, ctx.caller)),

  get: protectedProcedure
    .input(projectIdInput)
    .output(output(projectSchema))
    .query(({ ctx, input }) => getProject(ctx.db, ctx.caller, input.id)),

  /** A new project; the caller is its owner. */
  create: protectedProcedure
    .input(createProjectInput)
    .output(output(projectSchema))
    .mutation(({ ctx, input }) => createProject(ctx.db, ctx.caller, input, ctx.quotas)),

  /** Owner only. */
  update: protectedProcedure
    .input(updateProjectInput)
    .output(output(projectSchema))
    .mutation(({ ctx, input }) => updateProject(ctx.db, ctx.caller, input)),

  /** Owner only, never the Inbox: its tasks go to the owner's trash, restorable into the Inbox. */
  delete: protectedProcedure
    .input(projectIdInput)
    .output(output(idOutput))
    .mutation(async ({ ctx, input }) => {
      await deleteProject(ctx.db, ctx.caller, input.id, ctx.quotas);
      return { id: input.id };
    }),

  /** Any member sees the members. */
  members: protectedProcedure
    .input(membersInput)
    .output(output(z.array(memberSchema)))
    .query(({ ctx, input }) => listMembers(ctx.db, ctx.caller, input.projectId)),

  /** Owner only; the same answer whether or not an account has the email. */
  invite: protectedProcedure
    .input(inviteInput)
    .output(output(sentInvitationSchema))
    .mutation(({ ctx, input }) => invite(ctx.db, ctx.caller, input, ctx.quotas)),

  /** Invitations waiting for the caller's email. */
  invitations: protectedProcedure
    .output(output(z.array(invitationSchema)))
    .query(({ ctx }) => listInvitations(ctx.db, ctx.caller)),

  /** The invitee joins; answers the project as they now see it. */
  accept: protectedProcedure
    .input(invitationIdInput)
    .output(output(projectSchema))
    .mutation(async ({ ctx, input }) => {
      const projectId = await acceptInvitation(ctx.db, ctx.caller, input.invitationId, ctx.quotas);
      return getProject(ctx.db, ctx.caller, projectId);
    }),

  decline: protectedProcedure
    .input(invitationIdInput)
    .output(output(idOutput))
    .mutation(async ({ ctx, input }) => {
      await declineInvitation(ctx.db, ctx.caller, input.invitationId);
      return { id: input.invitationId };
    }),

  /** Owner only; `owner` transfers the project, and the old owner becomes an editor. */
  setRole: protectedProcedure
    .input(setRoleInput)
    .output(output(z.array(memberSchema)))
    .mutation(async ({ ctx, input }) => {
      await setRole(ctx.db, ctx.caller, input);
      return listMembers(ctx.db, ctx.caller, input.projectId);
    }),

  /** Owner only. */
  removeMember: protectedProcedure
    .input(memberInput)
    .output(output(membership))
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx.db, ctx.caller, input);
      return input;
    }),

  /** Any member but the owner. */
  leave: protectedProcedure
    .input(membersInput)
    .output(output(membership))
    .mutation(async ({ ctx, input }) => {
      await leaveProject(ctx.db, ctx.caller, input.projectId);
      return { projectId: input.projectId, userId: ctx.user.id };
    }),
});
