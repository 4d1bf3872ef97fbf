import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../harness.js';
import { openSse, type SseFrame, type SseStream } from '../sse.js';
import { type Account, buildRoleWorld, CALLER_KINDS, type CallerKind, type RoleWorld, SECRET } from './role-fixture.js';

// The role matrix over both event streams (tRPC's task.events and REST's GET /api/{user_id}/events),
// live and resumed: members get every task event of the shared project, outsiders (non-member,
// removed member, invitee) and the token limited to other projects get nothing of it. Short pings
// and closed streams, so the server closes at once.

const running = useTestServer({ live: { streamPingMs: 200, streamStallTimeoutMs: 5_000 } });
let world: RoleWorld;
beforeAll(async () => {
  world = await buildRoleWorld(running.server.url, running.db);
}, 300_000);
const open: SseStream[] = [];
afterAll(() => {
  for (const stream of open) stream.close();
  // Registered after useTestServer's: runs before its close(), which then waits for no stream.
  running.server.app.server.closeAllConnections();
});

const MEMBERS_WHO_READ = ['owner', 'editor', 'viewer', 'readOnlyToken'] as const;
const CUT_OFF = ['nonMember', 'removed', 'invitee', 'limitedToken'] as const;

type Door = 'tRPC' | 'REST';
function connect(door: Door, caller: Account, lastEventId?: string): Promise<SseStream> {
  const auth = { authorization: `Bearer ${caller.token}` };
  const stream =
    door === 'tRPC'
      ? openSse(
          `${world.url}/trpc/task.events?input=${encodeURIComponent(JSON.stringify({ lastEventId: lastEventId ?? null }))}`,
          auth,
        )
      : openSse(`${world.url}/api/${caller.userId}/events`, {
          ...auth,
          ...(lastEventId !== undefined && { 'last-event-id': lastEventId }),
        });
  return stream.then((opened) => {
    open.push(opened);
    return opened;
  });
}

/** Data frames, parsed, with their ids. */
const events = (frames: SseFrame[]) =>
  frames
    // Events carry their id (tRPC's frames have no name, REST's are named by type); pings do not.
    .filter((frame) => frame.id !== undefined && frame.data !== '')
    .map((frame) => ({ id: frame.id, event: JSON.parse(frame.data) as { type: string; task?: { id: string } } }));

/** Reads frames into `into` until one carries `marker`, or fails after a generous ceiling. */
async function readUntil(stream: SseStream, into: SseFrame[], marker: string) {
  const deadline = Date.now() + 30_000;
  while (!into.some((frame) => frame.data.includes(marker))) {
    into.push(await stream.next(Math.max(1, deadline - Date.now())));
  }
}

/** Each caller's own new task in its Inbox (the tokens hear the editor's): its title. */
async function markers(label: string): Promise<Record<CallerKind, string>> {
  const titles = {} as Record<CallerKind, string>;
  for (const kind of ['owner', 'editor', 'viewer', 'nonMember', 'removed', 'invitee'] as const) {
    titles[kind] = `${label} of ${kind} ${crypto.randomUUID()}`;
    await world.ok(world.callers[kind], 'task.create', { title: titles[kind] });
  }
  titles.readOnlyToken = titles.editor;
  titles.limitedToken = titles.editor;
  return titles;
}

/** What members do in the project meanwhile: the ids of its tasks that changed. */
async function changeTheProject(): Promise<string[]> {
  const { owner, editor } = world.callers;
  const { projectId } = world.ids;
  const task = await world.ok<{ id: string }>(owner, 'task.create', { projectId, title: `Live ${SECRET}` });
  await world.ok(editor, 'task.update', { id: task.id, priority: 'high' });
  await world.ok(editor, 'task.toggle', { id: task.id });
  await world.ok(editor, 'task.delete', { id: task.id });
  await world.ok(owner, 'task.restore', { id: task.id });
  return [task.id];
}

describe.each(['tRPC', 'REST'] as const)('the role matrix over the %s event stream', (door) => {
  const firstIds = new Map<CallerKind, string>();
  let changed: string[] = [];
  const seenLive = new Map<CallerKind, ReturnType<typeof events>>();

  it('live: members get every task event of the project, outsiders nothing of it', async () => {
    const streams = new Map<CallerKind, { stream: SseStream; frames: SseFrame[] }>();
    for (const kind of CALLER_KINDS)
      streams.set(kind, { stream: await connect(door, world.callers[kind]), frames: [] });
    // Each stream is live once it hears its own marker.
    const first = await markers('first');
    for (const kind of CALLER_KINDS) {
      const { stream, frames } = streams.get(kind) ?? { stream: undefined, frames: [] };
      if (stream) await readUntil(stream, frames, first[kind]);
      const marker = events(frames).find(({ event }) => JSON.stringify(event).includes(first[kind]));
      firstIds.set(kind, marker?.id ?? '');
    }
    changed = await changeTheProject();
    const last = await markers('last');
    for (const kind of CALLER_KINDS) {
      const entry = streams.get(kind);
      if (!entry) continue;
      await readUntil(entry.stream, entry.frames, last[kind]);
      entry.stream.close();
      seenLive.set(kind, events(entry.frames));
    }
    expectTheMatrix(seenLive, changed);
    expect([...firstIds.values()].every(Boolean)).toBe(true);
  }, 180_000);

  it('resumed from before the changes: the same, replayed', async () => {
    const replayed = new Map<CallerKind, ReturnType<typeof events>>();
    for (const kind of CALLER_KINDS) {
      const stream = await connect(door, world.callers[kind], firstIds.get(kind));
      const frames: SseFrame[] = [];
      // The replay reaches the caller's last marker of the live run (the last event it read).
      const lastMarkerTask = [...(seenLive.get(kind) ?? [])].reverse()[0]?.event.task?.id ?? '';
      await readUntil(stream, frames, lastMarkerTask);
      stream.close();
      replayed.set(kind, events(frames));
    }
    expectTheMatrix(replayed, changed);
  }, 180_000);
});

/** Members saw the same events of the changed tasks (at least created, deleted, restored); the others none. */
function expectTheMatrix(seen: Map<CallerKind, ReturnType<typeof events>>, changed: string[]) {
  const ofProject = (kind: CallerKind) =>
    (seen.get(kind) ?? []).filter(({ event }) => changed.includes(event.task?.id ?? '')).map(({ event }) => event.type);
  const owners = ofProject('owner');
  expect(owners).toEqual(expect.arrayContaining(['task.created', 'task.deleted', 'task.restored']));
  expect(owners.length).toBeGreaterThanOrEqual(5);
  for (const kind of MEMBERS_WHO_READ) expect(ofProject(kind), kind).toEqual(owners);
  for (const kind of CUT_OFF) {
    const text = JSON.stringify(seen.get(kind));
    expect(ofProject(kind), kind).toEqual([]);
    expect(text, kind).not.toContain(SECRET);
    expect(text, kind).not.toContain(world.ids.projectId);
    // The marker shows the stream did carry the caller's own events.
    expect(seen.get(kind)?.length ?? 0, kind).toBeGreaterThan(0);
  }
}
