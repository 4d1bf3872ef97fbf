import { invitationResource, memberResource, projectResource, sentInvitationResource } from './project-resources.js';
import { created, many, noContent, one } from './responders.js';
import { type AnyRestRoute, route } from './route.js';

// Projects, members and invitations. The path names a project `{project_id}` and a member
// `{member_id}` (their user id); `pathFields` says which procedure input each fills.

const PROJECT = { project_id: 'id' };
const MEMBER = { member_id: 'userId' };

export const PROJECT_ROUTES: readonly AnyRestRoute[] = [
  route({
    method: 'GET',
    path: '/projects',
    access: 'user',
    procedure: 'project.list',
    tag: 'projects',
    summary: 'The projects you belong to, Inbox first, with your role in each',
    response: many(projectResource),
  }),
  route({
    method: 'POST',
    path: '/projects',
    access: 'user',
    procedure: 'project.create',
    tag: 'projects',
    summary: 'Create a project; you are its owner',
    description: '403 past the projects quota (`MAX_PROJECTS_PER_USER`).',
    example: { name: 'Garden', color: '#4f46e5' },
    response: created(projectResource),
  }),
  route({
    method: 'GET',
    path: '/projects/:project_id',
    access: 'user',
    procedure: 'project.get',
    pathFields: PROJECT,
    tag: 'projects',
    summary: 'One project',
    response: one(projectResource),
  }),
  route({
    method: 'PATCH',
    path: '/projects/:project_id',
    access: 'user',
    procedure: 'project.update',
    pathFields: PROJECT,
    tag: 'projects',
    summary: 'Rename or recolor a project (owner only)',
    description: 'The Inbox keeps its name (422); its color may change.',
    example: { name: 'Allotment', color: null },
    response: one(projectResource),
  }),
  route({
    method: 'DELETE',
    path: '/projects/:project_id',
    access: 'user',
    procedure: 'project.delete',
    pathFields: PROJECT,
    tag: 'projects',
    summary: 'Delete a project (owner only; never the Inbox)',
    description: "Its tasks go to the owner's trash, restorable into the owner's Inbox for 30 days.",
    response: noContent(),
  }),
  route({
    method: 'GET',
    path: '/projects/:project_id/members',
    access: 'user',
    procedure: 'project.members',
    tag: 'projects',
    summary: 'The members of a project, with their roles (any member)',
    response: many(memberResource),
  }),
  route({
    method: 'POST',
    path: '/projects/:project_id/members',
    access: 'user',
    procedure: 'project.invite',
    tag: 'projects',
    summary: 'Invite someone by email as an editor or a viewer (owner only)',
    description:
      'The answer is the same whether or not an account has the email: the invitation waits for it, also for an account created later. ' +
      'The invitee joins by accepting (`POST /api/{user_id}/invitations/{invitation_id}/accept`); until then they are not a member, so there is no Location. ' +
      '409 for a member or an email already invited; 403 past the pending invitations quota.',
    example: { email: 'grace@example.com', role: 'editor' },
    response: one(sentInvitationResource, 201),
    errors: [409],
  }),
  route({
    method: 'PATCH',
    path: '/projects/:project_id/members/:member_id',
    access: 'user',
    procedure: 'project.setRole',
    pathFields: MEMBER,
    tag: 'projects',
    summary: "Change a member's role (owner only); answers the members",
    description:
      '`role: owner` transfers the project: the member becomes its owner and you an editor, so the answer is the whole member list. A project always keeps its owner (422).',
    example: { role: 'viewer' },
    response: many(memberResource),
  }),
  route({
    method: 'DELETE',
    path: '/projects/:project_id/members/:member_id',
    access: 'user',
    procedure: 'project.removeMember',
    pathFields: MEMBER,
    tag: 'projects',
    summary: 'Remove a member (owner only)',
    description: 'Their streams stop carrying the project at once. To leave a project yourself, see `…/leave`.',
    response: noContent(),
  }),
  route({
    method: 'POST',
    path: '/projects/:project_id/leave',
    access: 'user',
    procedure: 'project.leave',
    tag: 'projects',
    summary: 'Leave a project (any member but the owner)',
    description: 'The owner transfers the project first (PATCH a member with `role: owner`), else 422.',
    response: noContent(),
  }),

  route({
    method: 'GET',
    path: '/invitations',
    access: 'user',
    procedure: 'project.invitations',
    tag: 'projects',
    summary: 'Invitations waiting for your email',
    response: many(invitationResource),
  }),
  route({
    method: 'POST',
    path: '/invitations/:invitation_id/accept',
    access: 'user',
    procedure: 'project.accept',
    tag: 'projects',
    summary: 'Accept an invitation; answers the project you joined',
    description: "403 past the project's members quota. Anyone's but yours is 404.",
    response: one(projectResource),
  }),
  route({
    method: 'POST',
    path: '/invitations/:invitation_id/decline',
    access: 'user',
    procedure: 'project.decline',
    tag: 'projects',
    summary: 'Decline an invitation',
    response: noContent(),
  }),
];
