import { invitationSchema, memberSchema, projectSchema, sentInvitationSchema } from '@taskwire/api';
import { defineResource, EXAMPLE_PROJECT_ID, EXAMPLE_TIME, type RestResource } from './resource.js';

// Projects, their members and invitations, in REST's shape: the procedures' own schemas, snake_case.

const EXAMPLE_INVITATION_ID = '0193a5b5-3c4d-7e5f-8a61-7c8d9e0f1a2b';
const EXAMPLE_MEMBER_ID = '0193a5b2-9e21-7f3a-8b4c-5d6e7f8a9b0c';

export const projectResource = defineResource({
  name: 'Project',
  schema: projectSchema,
  example: {
    id: EXAMPLE_PROJECT_ID,
    name: 'Garden',
    color: '#4f46e5',
    inbox: false,
    role: 'owner',
    memberCount: 2,
    openTaskCount: 3,
    createdAt: EXAMPLE_TIME,
    updatedAt: EXAMPLE_TIME,
  },
});

export const memberResource = defineResource({
  name: 'ProjectMember',
  schema: memberSchema,
  example: { userId: EXAMPLE_MEMBER_ID, email: 'grace@example.com', role: 'editor', joinedAt: EXAMPLE_TIME },
});

export const sentInvitationResource = defineResource({
  name: 'SentInvitation',
  schema: sentInvitationSchema,
  example: {
    id: EXAMPLE_INVITATION_ID,
    projectId: EXAMPLE_PROJECT_ID,
    email: 'grace@example.com',
    role: 'editor',
    createdAt: EXAMPLE_TIME,
  },
});

export const invitationResource = defineResource({
  name: 'Invitation',
  schema: invitationSchema,
  example: {
    id: EXAMPLE_INVITATION_ID,
    projectId: EXAMPLE_PROJECT_ID,
    projectName: 'Garden',
    invitedBy: 'ada@example.com',
    role: 'editor',
    createdAt: EXAMPLE_TIME,
  },
});

/** For components.schemas. */
export const projectResources: readonly RestResource<never, unknown>[] = [
  projectResource,
  memberResource,
  sentInvitationResource,
  invitationResource,
];
