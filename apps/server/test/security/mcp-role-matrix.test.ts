import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_TOOLS } from '../../src/mcp/tools.js';
import { useTestServer } from '../harness.js';
import { call, connect, type ToolAnswer, textOf } from '../mcp-client.js';
import { CASES, type Outcome, outcomeOf } from './role-cases.js';
import {
  blanked,
  buildRoleWorld,
  CALLER_KINDS,
  type CallerKind,
  freshCopy,
  nonexistentIds,
  type ProjectIds,
  type RoleWorld,
  SECRET,
  snapshotOf,
} from './role-fixture.js';

// The role matrix over MCP: every tool of MCP_TOOLS × every kind of caller, through the SDK's own
// client, against the shared project of role-fixture.ts. A tool answers as its procedure's case
// in role-cases.ts does; a refusal is a tool error (isError) in words.

const running = useTestServer();
let world: RoleWorld;
const clients = new Map<CallerKind, Client>();
beforeAll(async () => {
  world = await buildRoleWorld(running.server.url, running.db);
  for (const kind of CALLER_KINDS) clients.set(kind, await connect(world.url, world.callers[kind].token));
}, 300_000);
afterAll(async () => {
  for (const client of clients.values()) await client.close();
});

/** Each tool's arguments, aimed at the project's things. */
const TOOL_CASES: Record<string, (ids: ProjectIds) => Record<string, unknown>> = {
  add_task: (ids) => ({ title: `Into ${SECRET}`, projectId: ids.projectId }),
  list_tasks: (ids) => ({ projectId: ids.projectId }),
  get_task: (ids) => ({ taskId: ids.taskId }),
  update_task: (ids) => ({ taskId: ids.taskId, title: 'hijacked' }),
  complete_task: (ids) => ({ taskId: ids.taskId }),
  reopen_task: (ids) => ({ taskId: ids.taskId }),
  delete_task: (ids) => ({ taskId: ids.taskId }),
  list_tags: () => ({}),
  list_projects: () => ({}),
  list_activity: (ids) => ({ projectId: ids.projectId }),
  undo_changes: (ids) => ({ batchId: ids.batchId }),
};

/** How a refusal reads: the procedures' own messages for FORBIDDEN and BAD_REQUEST. */
const REFUSAL: Partial<Record<Outcome, RegExp>> = {
  FORBIDDEN: /^(Viewers may not change tasks|This token may only read|Only the project owner)/,
  BAD_REQUEST: /./,
};

function runs(wanted: (outcome: Outcome) => boolean) {
  return MCP_TOOLS.flatMap((tool) => {
    const testCase = CASES[tool.procedure];
    const args = TOOL_CASES[tool.name];
    if (!testCase || !args) return [];
    return CALLER_KINDS.flatMap((kind) => {
      const outcome = outcomeOf(testCase, kind);
      return outcome && wanted(outcome) ? [{ tool, args, kind, outcome }] : [];
    });
  });
}

const answerText = (answer: ToolAnswer) => JSON.stringify({ isError: answer.isError ?? false, text: textOf(answer) });

describe('the role matrix (MCP)', () => {
  it('has a case for every tool, and none for a tool that does not exist', () => {
    expect(Object.keys(TOOL_CASES).sort()).toEqual(MCP_TOOLS.map((tool) => tool.name).sort());
  });

  it('answers outsiders and the token limited to other projects as for ids that exist nowhere', async () => {
    const before = await snapshotOf(running.db, world.ids.projectId);
    const aimed = runs((outcome) => outcome === 'absent');
    expect(aimed.length).toBeGreaterThan(20);
    for (const { tool, args, kind } of aimed) {
      const client = clients.get(kind) as Client;
      const nowhere = nonexistentIds();
      const onProject = await call(client, tool.name, args(world.ids));
      const onNothing = await call(client, tool.name, args(nowhere));
      const label = `${tool.name} as ${kind}`;
      expect(onProject.isError, `${label}: ${textOf(onProject)}`).toBe(true);
      expect(blanked(0, answerText(onProject), world.ids), label).toEqual(blanked(0, answerText(onNothing), nowhere));
      expect(JSON.stringify(onProject), label).not.toContain(SECRET);
    }
    expect(await snapshotOf(running.db, world.ids.projectId)).toEqual(before);
  }, 180_000);

  it("refuses viewers' and the read-only token's writes, changing nothing", async () => {
    const before = await snapshotOf(running.db, world.ids.projectId);
    const refused = runs((outcome) => outcome in REFUSAL);
    expect(refused.map(({ kind }) => kind)).toEqual(expect.arrayContaining(['viewer', 'readOnlyToken']));
    for (const { tool, args, kind, outcome } of refused) {
      const answer = await call(clients.get(kind) as Client, tool.name, args(world.ids));
      expect(answer.isError, `${tool.name} as ${kind}`).toBe(true);
      expect(textOf(answer), `${tool.name} as ${kind}`).toMatch(REFUSAL[outcome] as RegExp);
    }
    expect(await snapshotOf(running.db, world.ids.projectId)).toEqual(before);
  }, 180_000);

  it("answers members' reads, everyone's own lists without the project's data, and allowed writes", async () => {
    for (const { tool, args, kind } of runs((outcome) => outcome === 'ok')) {
      const writes = tool.annotations.readOnlyHint !== true;
      const answer = await call(
        clients.get(kind) as Client,
        tool.name,
        args(writes ? await freshCopy(world) : world.ids),
      );
      const label = `${tool.name} as ${kind}: ${textOf(answer)}`;
      expect(answer.isError ?? false, label).toBe(false);
      const outsider = kind === 'nonMember' || kind === 'removed' || kind === 'invitee' || kind === 'limitedToken';
      if (outsider) expect(JSON.stringify(answer), label).not.toContain(SECRET);
    }
    // A member's read names the project's task.
    const seen = await call(clients.get('viewer') as Client, 'get_task', { taskId: world.ids.taskId });
    expect(textOf(seen)).toContain(SECRET);
  }, 300_000);
});
