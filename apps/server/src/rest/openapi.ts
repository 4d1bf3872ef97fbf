import { PROJECT_EVENT_TYPES, PROJECT_ROLES, TASK_EVENT_TYPES } from '@taskwire/api';
import { z } from 'zod';
import { RESOURCES } from './all-resources.js';
import { errorBodySchema, validationErrorBodySchema } from './rest-errors.js';
import { type AnyRestRoute, inputSource } from './route.js';
import { routeSchemas } from './route-schemas.js';
import { REST_ROUTES } from './routes.js';
import type { JsonSchema } from './snake-case.js';

// The OpenAPI 3.1 document, generated from the route table: parameters and bodies from the
// procedures' own input schemas, responses from the resources the handlers answer with.

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function componentSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...jsonSchema } = z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12' });
  return jsonSchema;
}

/** `/tasks/:id` under `/api/{user_id}` → `/api/{user_id}/tasks/{id}`. */
export function documentPath(route: AnyRestRoute): string {
  const prefix = route.access === 'user' ? '/api/{user_id}' : '/api';
  return prefix + route.path.replace(/:([a-z_]+)/g, '{$1}');
}

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

interface ErrorDoc {
  description: string;
  example: unknown;
  headers?: object;
}

const ERRORS: Record<number, ErrorDoc> = {
  400: { description: 'Malformed JSON body', example: { detail: 'Malformed JSON body' } },
  401: {
    description: 'Missing or invalid token, or wrong credentials',
    example: { detail: 'Sign in required' },
    headers: {
      'WWW-Authenticate': {
        description: '`Bearer`, or `Bearer error="invalid_token"` when a token was sent and refused (RFC 6750)',
        schema: { type: 'string' },
      },
    },
  },
  403: {
    description:
      "Not allowed: a `{user_id}` that is not the token's user, a role below what the operation needs (a viewer writing tasks, a member managing the project), or a quota reached (live tasks, tags, projects, members, invitations)",
    example: { detail: "The user in the path is not the token's user" },
  },
  404: {
    description: 'Not found, or not yours (in a project you are not a member of)',
    example: { detail: 'Task not found' },
  },
  409: {
    description: 'Conflict (a changed version, a taken name or email, an existing member or invitation)',
    example: { detail: 'Conflict' },
  },
  413: {
    description: 'Body over the size limit (`BODY_LIMIT`, 1 MiB by default)',
    example: { detail: 'Request body too large' },
  },
  415: {
    description: 'Body in a content type this operation does not take',
    example: { detail: 'Unsupported content type' },
  },
  422: {
    description: 'Invalid input, per field',
    example: { detail: [{ loc: ['body', 'title'], msg: 'Title must not be empty', type: 'too_small' }] },
  },
  429: {
    description: 'Too many requests',
    example: { detail: 'Too many requests; retry later' },
    headers: RETRY_AFTER,
  },
  500: {
    description: 'Unexpected failure (details are only in the log)',
    example: { detail: 'Internal server error' },
  },
  503: {
    description: 'The database is unavailable, or the server is overloaded',
    example: { detail: 'The service is temporarily unavailable; retry shortly' },
    headers: RETRY_AFTER,
  },
};

/** The error statuses one route can answer: from its access, parameters and body, plus what it declares. */
export function errorStatuses(route: AnyRestRoute): number[] {
  const schemas = routeSchemas(route);
  const takesBody = inputSource(route) === 'body';
  const statuses = new Set<number>([...(route.errors ?? []), 429, 500, 503]);
  if (route.access !== 'public') statuses.add(401);
  if (route.access === 'user') statuses.add(403);
  if (schemas.pathParams.some((name) => name !== 'user_id')) statuses.add(404).add(422);
  if (schemas.query || schemas.body || route.form) statuses.add(422);
  if (takesBody) statuses.add(400).add(413).add(415);
  return [...statuses].sort((a, b) => a - b);
}

const ERROR_SCHEMAS: Record<number, object> = {
  409: { anyOf: [ref('HTTPError'), ref('VersionConflict')] },
  422: ref('ValidationError'),
};

function errorResponse(status: number) {
  const doc = ERRORS[status];
  if (!doc) throw new Error(`No documentation for status ${status}`);
  return {
    description: doc.description,
    ...(doc.headers && { headers: doc.headers }),
    content: {
      'application/json': { schema: ERROR_SCHEMAS[status] ?? ref('HTTPError'), example: doc.example },
    },
  };
}

function successResponse(route: AnyRestRoute) {
  const { status, body, headers = [] } = route.response;
  const headerDocs = Object.fromEntries(
    headers.map((name) => [
      name,
      name === 'Location'
        ? { description: 'The URL of the new resource', schema: { type: 'string' } }
        : {
            description: 'The next page: `<absolute url>; rel="next"`, every filter kept; absent on the last page',
            schema: { type: 'string' },
          },
    ]),
  );
  const response = {
    description: route.summary,
    ...(headers.length > 0 && { headers: headerDocs }),
  };
  if (!body) return { [status]: response };
  const schema = body.array ? { type: 'array', items: ref(body.resource.name) } : ref(body.resource.name);
  const example = body.array ? [body.resource.example] : body.resource.example;
  return { [status]: { ...response, content: { 'application/json': { schema, example } } } };
}

const USER_ID_PARAMETER = {
  name: 'user_id',
  in: 'path',
  required: true,
  description:
    "The token's user id, or `me`; with an identity provider's token, also the provider's id for the user (its `sub`). Any other user is 403. Every `/api/{user_id}/…` path also exists without the segment (`/api/tasks`).",
  schema: {
    anyOf: [
      { type: 'string', format: 'uuid' },
      { const: 'me' },
      { type: 'string', description: "An identity provider's `sub`" },
    ],
  },
  // Swagger UI fills it in, so trying an operation needs no id copied from a response.
  example: 'me',
};

function parameters(route: AnyRestRoute) {
  const { pathParams, query } = routeSchemas(route);
  const inPath = pathParams.map((name) =>
    name === 'user_id'
      ? USER_ID_PARAMETER
      : { name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
  );
  const inQuery = Object.entries(query?.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: query?.required?.includes(name) ?? false,
    ...(typeof schema.description === 'string' && { description: schema.description }),
    schema,
  }));
  return [...inPath, ...inQuery];
}

function requestBody(route: AnyRestRoute) {
  const { body } = routeSchemas(route);
  if (!body) return undefined;
  const form = route.form && { 'application/x-www-form-urlencoded': { schema: componentSchema(route.form.schema) } };
  return {
    required: (body.required?.length ?? 0) > 0,
    content: { 'application/json': { schema: body, ...(route.example && { example: route.example }) }, ...form },
  };
}

function operation(route: AnyRestRoute, operationId: string) {
  const body = requestBody(route);
  const errors = Object.fromEntries(errorStatuses(route).map((status) => [status, errorResponse(status)]));
  return {
    operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description && { description: route.description }),
    security: route.access === 'public' ? [] : [{ bearerAuth: [] }, { oauth2Password: [] }],
    parameters: parameters(route),
    ...(body && { requestBody: body }),
    responses: { ...successResponse(route), ...errors },
  };
}

/** `task.update` answered by PATCH and PUT: `task_update_patch`, `task_update_put`. */
function operationIds(routes: readonly AnyRestRoute[]): string[] {
  const uses = new Map<string, number>();
  for (const route of routes) uses.set(route.procedure, (uses.get(route.procedure) ?? 0) + 1);
  return routes.map((route) => {
    const base = route.procedure.replace('.', '_');
    return (uses.get(route.procedure) ?? 0) > 1 ? `${base}_${route.method.toLowerCase()}` : base;
  });
}

/** The event stream: documented beside REST_ROUTES, since it streams instead of answering once. */
export const EVENT_STREAM_PATH = '/api/{user_id}/events';

/** One event of the stream, as its `data:` line carries it. */
const TASK_EVENT_SCHEMA = {
  type: 'object',
  description:
    'A change to a task of one of your projects, a reminder, a change to a project you belong to or are invited to, or `resync` (events were missed: refetch)',
  properties: {
    type: { enum: [...TASK_EVENT_TYPES, ...PROJECT_EVENT_TYPES, 'resync'] },
    task_id: { type: ['string', 'null'], format: 'uuid' },
    task: { anyOf: [ref('Task'), { type: 'null' }], description: 'The task right after the change; null once purged' },
    at: { type: 'string', format: 'date-time' },
    late: { type: 'boolean', description: 'Reminders only: it fired late (missed while no server ran)' },
    project_id: { type: 'string', format: 'uuid', description: 'Project events: which project' },
    user_id: { type: 'string', format: 'uuid', description: 'member.added and member.removed: whose membership' },
    role: { enum: [...PROJECT_ROLES], description: 'member.added: the role' },
    invitation_id: { type: 'string', format: 'uuid', description: 'invitation.received: the invitation' },
  },
  required: ['type', 'task_id', 'task', 'at'],
};

const EVENT_STREAM_OPERATION = {
  operationId: 'task_events',
  tags: ['tasks'],
  summary: 'Stream task changes and reminders (Server-Sent Events)',
  description:
    'A `text/event-stream`: each event has `id:` (counting up per user), `event:` (its type) and `data:` (a TaskEvent). ' +
    'Reconnect with `Last-Event-ID` to get exactly what came after it (EventSource does this by itself); an id older than ' +
    'what is kept (24 h, and always your last 1 000 events) gets one `resync` event. A comment line comes every 20 s. ' +
    'The stream ends with an `error` event when the token expires or is revoked (`status` 401) or the server restarts (503: reconnect).',
  security: [{ bearerAuth: [] }, { oauth2Password: [] }],
  parameters: [
    USER_ID_PARAMETER,
    {
      name: 'Last-Event-ID',
      in: 'header',
      required: false,
      description: 'The id of the last event received',
      schema: { type: 'string', pattern: '^\\d{1,15}$' },
    },
  ],
  responses: {
    200: {
      description: 'The stream',
      content: {
        'text/event-stream': {
          schema: { type: 'string', description: 'SSE frames; each `data:` line is a TaskEvent (see components)' },
        },
      },
    },
    ...Object.fromEntries([401, 403, 422, 429].map((status) => [status, errorResponse(status)])),
  },
};

/** Builds the document (the server builds it once, at the first request for it). */
export function buildOpenApiDocument(routes: readonly AnyRestRoute[] = REST_ROUTES) {
  const ids = operationIds(routes);
  const paths: Record<string, Record<string, unknown>> = {};
  routes.forEach((route, index) => {
    const path = documentPath(route);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route, ids[index] ?? '') };
  });
  paths[EVENT_STREAM_PATH] = { get: EVENT_STREAM_OPERATION };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Taskwire REST API',
      version: '1.0.0',
      description:
        'The REST door to the same procedures as `/trpc`. JSON in snake_case; timestamps are ISO 8601 in UTC. ' +
        'Sign up or log in, then send `Authorization: Bearer <access_token>`. Errors are `{ "detail": "…" }`.',
    },
    tags: [
      { name: 'auth', description: 'Accounts, tokens and sessions' },
      { name: 'tasks', description: "The tasks of the user's projects" },
      { name: 'trash', description: 'Deleted tasks, kept 30 days' },
      { name: 'tags', description: 'Tags, created by naming them on a task' },
      { name: 'projects', description: 'Projects, their members and invitations' },
      { name: 'activity', description: 'Who changed which task, and undo' },
      { name: 'webhooks', description: 'Signed webhooks (Standard Webhooks 1.0) and their delivery log' },
      { name: 'account', description: 'Export and import of the account’s data' },
    ],
    paths,
    components: {
      schemas: {
        ...Object.fromEntries(RESOURCES.map((resource) => [resource.name, resource.jsonSchema])),
        TaskEvent: TASK_EVENT_SCHEMA,
        HTTPError: componentSchema(errorBodySchema),
        ValidationError: componentSchema(validationErrorBodySchema),
        VersionConflict: {
          type: 'object',
          description: 'A 409 on `expected_version`: the task as it is now, to merge with and retry',
          properties: { detail: { type: 'string' }, current: ref('Task') },
          required: ['detail', 'current'],
        },
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        oauth2Password: {
          type: 'oauth2',
          description: 'Email as the username; Swagger UI signs in through /api/auth/login.',
          flows: { password: { tokenUrl: '/api/auth/login', scopes: {} } },
        },
      },
    },
  };
}
