import type { Project } from '@taskwire/client';
import { describe, expect, it } from 'vitest';
import { canEditTasks, pickProject } from '../src/projects';

const project = (id: string, inbox = false, role: Project['role'] = 'owner'): Project => ({
  id,
  name: inbox ? 'Inbox' : `Project ${id}`,
  color: null,
  inbox,
  role,
  memberCount: 1,
  openTaskCount: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('the project a view shows', () => {
  const projects = [project('inbox', true), project('shared', false, 'editor')];

  it('is the Inbox by default, and the one the URL names when the person belongs to it', () => {
    expect(pickProject(projects, null)).toEqual({ project: projects[0], gone: false });
    expect(pickProject(projects, 'shared')).toEqual({ project: projects[1], gone: false });
  });

  it('falls back to the Inbox, and says so, for a project the person no longer belongs to', () => {
    expect(pickProject(projects, 'removed')).toEqual({ project: projects[0], gone: true });
    expect(pickProject([], null)).toEqual({ project: null, gone: false });
  });

  it('lets owners and editors change tasks, not viewers', () => {
    expect(['owner', 'editor', 'viewer'].map((role) => canEditTasks({ role: role as Project['role'] }))).toEqual([
      true,
      true,
      false,
    ]);
  });
});
