import { InvalidInputError, RateLimitedError, type Task, VersionConflictError } from '@taskwire/api';
import { TRPCError } from '@trpc/server';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { procedureInputSchema } from '../src/doors/trpc-internals/procedures.js';
import { RESOURCES } from '../src/rest/all-resources.js';
import { buildOpenApiDocument, documentPath, EVENT_STREAM_PATH, errorStatuses } from '../src/rest/openapi.js';
import { invitationResource, memberResource, projectResource } from '../src/rest/project-resources.js';
import { coerceQuery } from '../src/rest/query.js';
import {
  authTokensResource,
  bulkUpdateResource,
  completedTaskResource,
  restTask,
  restTaskSchema,
  taskCountResource,
  taskResource,
  withOwner,
} from '../src/rest/resources.js';
import { noContent } from '../src/rest/responders.js';
import { restErrorFromHttp, toRestError } from '../src/rest/rest-errors.js';
import { defaultInput, route } from '../src/rest/route.js';
import { routeSchemas } from '../src/rest/route-schemas.js';
import { REST_ROUTES } from '../src/rest/routes.js';
import { camelKey, snakeJsonSchema, snakeKey, toCamel, toSnake } from '../src/rest/snake-case.js';

const USER = '0193a5b2-7c41-7e2a-9b3f-6d1e2f3a4b5c';
const task: Task = {
  id: '0193a5b3-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
  projectId: '0193a5b2-7c41-7e2a-9b3f-6d1e2f3a4b60',
  assigneeId: null,
  createdBy: USER,
  title: 'Water the plants',
  description: null,
  completed: false,
  completedAt: null,
  priority: 'low',
  tags: ['home'],
  dueAt: '2026-12-01T08:00:00.000Z',
  remindAt: null,
  recurrence: { freq: 'weekly', interval: 1, byWeekday: ['MO'] },
  deletedAt: null,
  createdAt: '2026-11-28T09:30:00.000Z',
  updatedAt: '2026-11-28T09:30:00.000Z',
  version: 3,
};

describe('snake_case conversion', () => {
  it('renames keys both ways', () => {
    expect(snakeKey('dueAt')).toBe('due_at');
    expect(snakeKey('byMonthDay')).toBe('by_month_day');
    expect(camelKey('remind_at')).toBe('remindAt');
    expect(camelKey('alreadyCamel')).toBe('alreadyCamel');
  });

  it('converts values deeply, leaving values (such as enum strings) alone', () => {
    expect(toSnake({ dueAt: null, recurrence: { byWeekday: ['MO'] }, list: [{ taskCount: 1 }] })).toEqual({
      due_at: null,
      recurrence: { by_weekday: ['MO'] },
      list: [{ task_count: 1 }],
    });
    expect(toCamel({ set: { add_tags: ['due_at'] }, expected_version: 2 })).toEqual({
      set: { addTags: ['due_at'] },
      expectedVersion: 2,
    });
  });

  it('converts documents of any depth, the same above and below the recursion limit', () => {
    const nest = (depth: number, leaf: unknown) => {
      let value = leaf;
      for (let level = 0; level < depth; level++) value = level % 2 ? [value, 'x'] : { innerValue: value, otherKey: 1 };
      return value;
    };
    const snakeNest = (depth: number, leaf: unknown) => {
      let value = leaf;
      for (let level = 0; level < depth; level++)
        value = level % 2 ? [value, 'x'] : { inner_value: value, other_key: 1 };
      return value;
    };
    // Keys and leaves in document order, walked without recursion (toEqual recurses, and overflows).
    const tokens = (document: unknown): string[] => {
      const out: string[] = [];
      const stack = [document];
      while (stack.length > 0) {
        const value = stack.pop();
        if (Array.isArray(value)) {
          out.push(`[${value.length}`);
          for (let index = value.length - 1; index >= 0; index--) stack.push(value[index]);
        } else if (typeof value === 'object' && value !== null) {
          const keys = Object.keys(value);
          out.push(`{${keys.join(',')}`);
          for (let index = keys.length - 1; index >= 0; index--)
            stack.push((value as Record<string, unknown>)[keys[index] as string]);
        } else out.push(String(value));
      }
      return out;
    };
    // Far past the call stack of a plain recursive walk, and across the switch to the iterative one.
    for (const depth of [1, 63, 64, 65, 130, 20_000]) {
      const leaf = { leafKey: [{ deepestKey: null }] };
      const expected = tokens(snakeNest(depth, { leaf_key: [{ deepest_key: null }] }));
      expect(tokens(toSnake(nest(depth, leaf)))).toEqual(expected);
      expect(tokens(toCamel(snakeNest(depth, 'v')))).toEqual(tokens(nest(depth, 'v')));
      expect(expected.length).toBeGreaterThan(depth);
    }
    // Non-array objects become plain objects of their own keys, at every depth.
    expect(toSnake({ atDate: new Date(0), list: [new Map([[1, 2]])] })).toEqual({ at_date: {}, list: [{}] });
    expect(toSnake(nest(100, new Date(0)))).toEqual(snakeNest(100, {}));
  });

  it('converts JSON Schemas: properties, required and nested schemas, not enum values or patterns', () => {
    expect(
      snakeJsonSchema({
        type: 'object',
        properties: {
          dueAt: { type: 'string', pattern: '^[a-zA-Z]+$' },
          recurrence: { anyOf: [{ type: 'object', properties: { byWeekday: { enum: ['MO'] } } }, { type: 'null' }] },
        },
        required: ['dueAt'],
        default: { dueAt: null },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        due_at: { type: 'string', pattern: '^[a-zA-Z]+$' },
        recurrence: { anyOf: [{ type: 'object', properties: { by_weekday: { enum: ['MO'] } } }, { type: 'null' }] },
      },
      required: ['due_at'],
      default: { due_at: null },
    });
  });
});

describe('resource mappers', () => {
  it('task: snake_case with the owner', () => {
    expect(taskResource.toRest(task, USER)).toEqual({
      id: task.id,
      user_id: USER,
      project_id: task.projectId,
      assignee_id: null,
      created_by: USER,
      title: 'Water the plants',
      description: null,
      completed: false,
      completed_at: null,
      priority: 'low',
      tags: ['home'],
      due_at: '2026-12-01T08:00:00.000Z',
      remind_at: null,
      recurrence: { freq: 'weekly', interval: 1, by_weekday: ['MO'] },
      deleted_at: null,
      created_at: '2026-11-28T09:30:00.000Z',
      updated_at: '2026-11-28T09:30:00.000Z',
      version: 3,
    });
  });

  it('task: the one-pass mapper writes the same bytes as toSnake(withOwner(…)), for every field and recurrence', () => {
    const variants: Task[] = [
      task,
      { ...task, recurrence: null, tags: [], description: 'Notes', assigneeId: USER, completed: true },
      { ...task, completedAt: task.createdAt, remindAt: task.dueAt, deletedAt: task.updatedAt, priority: 'high' },
      {
        ...task,
        recurrence: { freq: 'monthly', interval: 2, byMonthDay: 31, until: '2027-06-30T00:00:00.000Z' } as never,
      },
    ];
    for (const variant of variants) {
      const twoStep = toSnake(withOwner(variant, USER));
      expect(JSON.stringify(restTask(variant, USER))).toBe(JSON.stringify(twoStep));
      expect(JSON.stringify(taskResource.toRest(variant, USER))).toBe(JSON.stringify(twoStep));
    }
    // Every field of the REST task schema is written (user_id right after id, not last as in the schema).
    const fields = (value: object) => Object.keys(value).sort();
    expect(fields(restTask(task, USER))).toEqual(fields(toSnake(restTaskSchema.parse(withOwner(task, USER)))));
  });

  it('completed task: the next occurrence is a task with its owner too', () => {
    const next = { ...task, id: '0193a5b3-1a2b-7c3d-8e4f-5a6b7c8d9e10', version: 1 };
    const body = completedTaskResource.toRest({ ...task, completed: true, nextOccurrence: next }, USER);
    expect(body.next_occurrence).toEqual(taskResource.toRest(next, USER));
    expect(completedTaskResource.toRest({ ...task, nextOccurrence: null }, USER).next_occurrence).toBeNull();
  });

  it('auth tokens: token_type bearer, as OAuth2 clients expect', () => {
    const user = { id: USER, email: 'a@example.com', timezone: 'UTC', createdAt: task.createdAt };
    expect(authTokensResource.toRest({ user, accessToken: 'a', refreshToken: 'r', expiresIn: 900 }, USER)).toEqual({
      access_token: 'a',
      refresh_token: 'r',
      expires_in: 900,
      token_type: 'bearer',
      user: { id: USER, email: 'a@example.com', timezone: 'UTC', created_at: task.createdAt },
    });
  });

  it('count and bulk results', () => {
    expect(taskCountResource.toRest(7, USER)).toEqual({ count: 7 });
    expect(bulkUpdateResource.toRest({ updated: [task], notFound: [USER] }, USER)).toEqual({
      updated: [taskResource.toRest(task, USER)],
      not_found: [USER],
    });
  });

  it("projects, members and invitations: the procedures' shapes in snake_case", () => {
    const project = {
      id: task.projectId,
      name: 'Garden',
      color: null,
      inbox: false,
      role: 'editor' as const,
      memberCount: 2,
      openTaskCount: 1,
      createdAt: task.createdAt,
      updatedAt: task.updatedAt,
    };
    expect(projectResource.toRest(project, USER)).toEqual({
      id: task.projectId,
      name: 'Garden',
      color: null,
      inbox: false,
      role: 'editor',
      member_count: 2,
      open_task_count: 1,
      created_at: task.createdAt,
      updated_at: task.updatedAt,
    });
    const member = { userId: USER, email: 'a@example.com', role: 'owner' as const, joinedAt: task.createdAt };
    expect(memberResource.toRest(member, USER)).toEqual({
      user_id: USER,
      email: 'a@example.com',
      role: 'owner',
      joined_at: task.createdAt,
    });
    const invitation = {
      id: task.id,
      projectId: task.projectId,
      projectName: 'Garden',
      invitedBy: 'a@example.com',
      role: 'viewer' as const,
      createdAt: task.createdAt,
    };
    expect(invitationResource.toRest(invitation, USER)).toEqual({
      id: task.id,
      project_id: task.projectId,
      project_name: 'Garden',
      invited_by: 'a@example.com',
      role: 'viewer',
      created_at: task.createdAt,
    });
  });

  it("every resource's example matches its own schema", () => {
    const ajv = new Ajv2020({ strict: false });
    ajvFormats.default(ajv);
    for (const resource of RESOURCES) {
      const validate = ajv.compile(resource.jsonSchema);
      expect(validate(resource.example), `${resource.name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });
});

describe('query coercion', () => {
  const schema = {
    type: 'object',
    properties: {
      limit: { type: 'integer' },
      overdue: { type: 'boolean' },
      priority: { type: 'array', items: { type: 'string' } },
      q: { type: 'string' },
      cursor: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    },
  };

  it('gives each parameter its documented type, and leaves what does not fit as text', () => {
    expect(coerceQuery({ limit: '25', overdue: 'true', priority: 'high', q: '42', cursor: 'abc' }, schema)).toEqual({
      limit: 25,
      overdue: true,
      priority: ['high'],
      q: '42',
      cursor: 'abc',
    });
    expect(coerceQuery({ limit: 'many', overdue: 'yes', priority: ['high', 'low'], extra: '1' }, schema)).toEqual({
      limit: 'many',
      overdue: 'yes',
      priority: ['high', 'low'],
      extra: '1',
    });
  });
});

describe('error mapping', () => {
  const body = () => 'body' as const;

  it('maps tRPC codes to HTTP statuses with the message as detail', () => {
    const cases = [
      ['UNAUTHORIZED', 401],
      ['FORBIDDEN', 403],
      ['NOT_FOUND', 404],
      ['CONFLICT', 409],
      ['PAYLOAD_TOO_LARGE', 413],
      ['TOO_MANY_REQUESTS', 429],
    ] as const;
    for (const [code, status] of cases) {
      expect(toRestError(new TRPCError({ code, message: `${code} happened` }), body)).toEqual({
        status,
        body: { detail: `${code} happened` },
      });
    }
  });

  it('passes on the wait a rate-limited procedure names (Retry-After)', () => {
    const cause = new RateLimitedError(30);
    expect(toRestError(new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'Slow down', cause }), body)).toEqual({
      status: 429,
      body: { detail: 'Slow down' },
      retryAfter: 30,
    });
  });

  it('answers a version conflict with the current task in the REST shape, owned by the caller', () => {
    const cause = new VersionConflictError(task);
    const conflict = toRestError(new TRPCError({ code: 'CONFLICT', message: cause.message, cause }), body, USER);
    expect(conflict).toEqual({
      status: 409,
      body: { detail: 'The task was changed by someone else', current: taskResource.toRest(task, USER) },
    });
    expect(conflict.body).toMatchObject({ current: { user_id: USER, created_at: task.createdAt } });
  });

  it('turns zod causes into 422 details located by source, in snake_case', () => {
    const schema = z.strictObject({ dueAt: z.string(), set: z.object({ addTags: z.array(z.string()) }) });
    const cause = schema.safeParse({ dueAt: 1, set: { addTags: [2] } }).error;
    const error = new TRPCError({ code: 'BAD_REQUEST', message: 'x', cause });
    expect(toRestError(error, (field) => (field === 'dueAt' ? 'query' : 'body'))).toEqual({
      status: 422,
      body: {
        detail: [
          { loc: ['query', 'due_at'], msg: expect.stringContaining('expected string'), type: 'invalid_type' },
          {
            loc: ['body', 'set', 'add_tags', 0],
            msg: expect.stringContaining('expected string'),
            type: 'invalid_type',
          },
        ],
      },
    });
  });

  it('locates an unknown field where it was sent, and names fields and enum values in snake_case', () => {
    const schema = z.strictObject({
      sort: z.enum(['createdAt', 'dueAt']),
      set: z.strictObject({ addTags: z.string() }),
    });
    const cause = schema.safeParse({ sort: 'due', userId: 'x', set: { addTags: 'a', removeTags: 'b' } }).error;
    const error = new TRPCError({ code: 'BAD_REQUEST', message: 'x', cause });
    const { body: answer } = toRestError(error, (field) => (field === 'set' ? 'body' : 'query'));
    expect(answer).toEqual({
      detail: expect.arrayContaining([
        { loc: ['query', 'user_id'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
        { loc: ['body', 'set', 'remove_tags'], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' },
        { loc: ['query', 'sort'], msg: expect.stringContaining('"created_at"|"due_at"'), type: 'invalid_value' },
      ]),
    });
    expect(JSON.stringify(answer)).not.toMatch(/userId|createdAt|dueAt|removeTags/);
  });

  it("names a field a path parameter filled as the path names it (`project_id` for the input's `id`)", () => {
    const cause = new InvalidInputError('id', 'The Inbox cannot be deleted');
    const error = new TRPCError({ code: 'BAD_REQUEST', message: cause.message, cause });
    expect(toRestError(error, (field) => (field === 'id' ? { path: 'project_id' } : 'body'))).toEqual({
      status: 422,
      body: { detail: [{ loc: ['path', 'project_id'], msg: 'The Inbox cannot be deleted', type: 'custom' }] },
    });
  });

  it("uses the api's InvalidInputError field errors, and answers a BAD_REQUEST without them with 400", () => {
    const cause = new InvalidInputError('cursor', 'Invalid cursor');
    expect(
      toRestError(new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid cursor', cause }), () => 'query'),
    ).toEqual({ status: 422, body: { detail: [{ loc: ['query', 'cursor'], msg: 'Invalid cursor', type: 'custom' }] } });
    expect(toRestError(new TRPCError({ code: 'BAD_REQUEST', message: 'Bad' }), body)).toEqual({
      status: 400,
      body: { detail: 'Bad' },
    });
  });

  it('never passes on what an internal failure says; explains only unavailability (503 + Retry-After)', () => {
    const cause = new Error('relation "tasks" does not exist at character 15: select * from tasks');
    const internal = toRestError(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: cause.message, cause }), body);
    expect(internal).toEqual({ status: 500, body: { detail: 'Internal server error' } });
    expect(toRestError(new Error('boom at /src/file.ts:1'), body)).toEqual(internal);
    expect(
      toRestError(
        new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The service is temporarily unavailable' }),
        body,
      ),
    ).toEqual({ status: 503, body: { detail: 'The service is temporarily unavailable' }, retryAfter: 1 });
  });

  it("answers Fastify's own refusals in our words", () => {
    expect(restErrorFromHttp(400, 'FST_ERR_CTP_INVALID_JSON_BODY').body).toEqual({ detail: 'Malformed JSON body' });
    expect(restErrorFromHttp(400, 'FST_ERR_CTP_EMPTY_JSON_BODY').body).toEqual({ detail: 'Malformed JSON body' });
    expect(restErrorFromHttp(413, 'FST_ERR_CTP_BODY_TOO_LARGE')).toEqual({
      status: 413,
      body: { detail: 'Request body too large' },
    });
    expect(restErrorFromHttp(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE').status).toBe(415);
    expect(restErrorFromHttp(404, 'OTHER')).toEqual({ status: 400, body: { detail: 'Malformed request' } });
  });
});

describe('the route table', () => {
  it('names existing procedures, and no method and path twice', () => {
    const seen = new Set<string>();
    for (const route of REST_ROUTES) {
      expect(() => procedureInputSchema(route.procedure)).not.toThrow();
      const key = `${route.method} ${documentPath(route)}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });

  it('documents every route once, with unique operation ids and path parameters for every :name', () => {
    const document = buildOpenApiDocument();
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        path,
        method,
        operation: operation as { operationId: string },
      })),
    );
    // Every route, and the event stream (EVENT_STREAM_PATH).
    expect(operations).toHaveLength(REST_ROUTES.length + 1);
    expect(operations.map(({ path }) => path)).toContain(EVENT_STREAM_PATH);
    expect(new Set(operations.map(({ operation }) => operation.operationId)).size).toBe(REST_ROUTES.length + 1);
    for (const route of REST_ROUTES) {
      const params = routeSchemas(route).pathParams;
      for (const name of params) expect(documentPath(route)).toContain(`{${name}}`);
    }
  });

  it("every request example matches its route's body schema", () => {
    const ajv = new Ajv2020({ strict: false });
    ajvFormats.default(ajv);
    const withExamples = REST_ROUTES.filter((route) => route.example);
    expect(withExamples.length).toBeGreaterThan(5);
    for (const route of withExamples) {
      const schema = routeSchemas(route).body;
      expect(schema, `${route.method} ${route.path} has an example but no body`).toBeDefined();
      const validate = ajv.compile(schema ?? {});
      expect(validate(route.example), `${route.method} ${route.path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it('lets a DELETE take its input from a JSON body (a password never belongs in a URL)', () => {
    const withBody = route({
      method: 'DELETE',
      path: '/tags/:id',
      access: 'user',
      procedure: 'tag.rename',
      inputFrom: 'body',
      tag: 'tags',
      summary: 'a DELETE with a body',
      response: noContent(),
    });
    expect(routeSchemas(withBody).query).toBeUndefined();
    expect(Object.keys(routeSchemas(withBody).body?.properties ?? {})).toEqual(['name']);
    expect(errorStatuses(withBody)).toEqual(expect.arrayContaining([400, 413, 415, 422]));
    const operation = buildOpenApiDocument([withBody]).paths['/api/{user_id}/tags/{id}']?.delete as {
      requestBody?: unknown;
    };
    expect(operation.requestBody).toBeDefined();
  });

  it('takes the query and body schemas from the procedures, without the path parameters', () => {
    const find = (procedure: string, method: string) => {
      const found = REST_ROUTES.find((route) => route.procedure === procedure && route.method === method);
      if (!found) throw new Error(`no ${method} route for ${procedure}`);
      return found;
    };
    expect(Object.keys(routeSchemas(find('task.list', 'GET')).query?.properties ?? {})).toEqual(
      expect.arrayContaining([
        'status',
        'priority',
        'tags',
        'tag_mode',
        'due_from',
        'due_to',
        'overdue',
        'has_due_date',
        'q',
        'sort',
        'order',
        'limit',
        'cursor',
      ]),
    );
    expect(Object.keys(routeSchemas(find('task.list', 'GET')).query?.properties ?? {})).toEqual(
      expect.arrayContaining(['project_id', 'assignee']),
    );
    const body = routeSchemas(find('task.update', 'PATCH')).body;
    expect(body?.properties).not.toHaveProperty('id');
    expect(body?.properties).toHaveProperty('expected_version');
    expect(body?.properties).toHaveProperty('remind_at');
    expect(body?.properties).toHaveProperty('project_id');
    expect(body?.properties).toHaveProperty('assignee_id');
  });

  it("documents the event stream's project events as the stream sends them (snake_case)", () => {
    const ajv = new Ajv2020({ strict: false });
    ajvFormats.default(ajv);
    ajv.addSchema(buildOpenApiDocument(), 'openapi.json');
    const validate = ajv.compile({ $ref: 'openapi.json#/components/schemas/TaskEvent' });
    const at = task.createdAt;
    const events = [
      { type: 'member.added', taskId: null, task: null, projectId: task.projectId, userId: USER, role: 'editor', at },
      { type: 'invitation.received', taskId: null, task: null, projectId: task.projectId, invitationId: task.id, at },
      { type: 'task.created', taskId: task.id, task: taskResource.toRest(task, USER), at },
    ];
    for (const event of events) expect(validate(toSnake(event)), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate(toSnake({ ...events[0], type: 'member.promoted' }))).toBe(false);
  });

  it('maps path parameters to the input fields they fill, and leaves them out of the query and body', () => {
    const find = (procedure: string) => {
      const found = REST_ROUTES.find((route) => route.procedure === procedure);
      if (!found) throw new Error(`no route for ${procedure}`);
      return found;
    };
    // `{project_id}` fills project.get's `id`: no `id` query parameter is left to document.
    const get = find('project.get');
    expect(documentPath(get)).toBe('/api/{user_id}/projects/{project_id}');
    expect(routeSchemas(get)).toEqual({ pathParams: ['user_id', 'project_id'] });
    expect(defaultInput('query', get.pathFields)({ params: { project_id: 'p' }, query: {}, body: undefined })).toEqual({
      id: 'p',
    });
    // `{member_id}` fills setRole's `userId`; the body is the role alone.
    const setRole = find('project.setRole');
    expect(documentPath(setRole)).toBe('/api/{user_id}/projects/{project_id}/members/{member_id}');
    expect(routeSchemas(setRole).body?.properties).toEqual({ role: expect.any(Object) });
    expect(routeSchemas(setRole).body?.required).toEqual(['role']);
    const input = defaultInput(
      'body',
      setRole.pathFields,
    )({
      params: { project_id: 'p', member_id: 'm' },
      query: {},
      body: { role: 'viewer', user_id: 'smuggled' },
    });
    // The path wins over a body that names the same field.
    expect(input).toEqual({ projectId: 'p', userId: 'm', role: 'viewer' });
    // Without `pathFields`, a parameter fills its camelCase namesake.
    expect(routeSchemas(find('project.members')).query).toBeUndefined();
    expect(Object.keys(routeSchemas(find('project.invite')).body?.properties ?? {}).sort()).toEqual(['email', 'role']);
  });
});
