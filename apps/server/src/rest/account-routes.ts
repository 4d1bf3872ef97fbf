import { Readable } from 'node:stream';
import { type ExportPage, exportDocumentSchema, importOutput } from '@taskwire/api';
import { z } from 'zod';
import { EXAMPLE_PROJECT_ID, EXAMPLE_TIME, type RestResource } from './resource.js';
import { one, type Responder } from './responders.js';
import { type AnyRestRoute, route } from './route.js';
import type { JsonSchema } from './snake-case.js';

// The account's data out (one JSON document, streamed page by page) and back in. The document is
// a file format, the same over tRPC and REST: camelCase, as account.export's pages. The import
// route takes it in either spelling (REST camelCases a body's keys).

const schemaOf = (schema: z.ZodType): JsonSchema => {
  const { $schema: _, ...json } = z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  return json;
};

const exampleDocument = {
  version: 1 as const,
  exportedAt: EXAMPLE_TIME,
  timezone: 'Europe/Berlin',
  projects: [{ id: EXAMPLE_PROJECT_ID, name: 'Inbox', color: null, inbox: true, createdAt: EXAMPLE_TIME }],
  tags: [{ projectId: EXAMPLE_PROJECT_ID, name: 'work' }],
  tasks: [
    {
      id: '0193a5b3-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
      projectId: EXAMPLE_PROJECT_ID,
      title: 'Send the quarterly report',
      description: null,
      completed: false,
      completedAt: null,
      priority: 'high' as const,
      tags: ['work'],
      dueAt: '2026-12-01T17:00:00.000Z',
      remindAt: null,
      recurrence: null,
      deletedAt: null,
      createdAt: EXAMPLE_TIME,
      updatedAt: EXAMPLE_TIME,
    },
  ],
};

/** The export document, as the document describes it; the body is written by `streamedExport`. */
export const exportDocumentResource: RestResource<never, unknown> = {
  name: 'ExportDocument',
  jsonSchema: schemaOf(exportDocumentSchema),
  example: exampleDocument,
  toRest: (output) => output,
};

export const importResultResource: RestResource<z.output<typeof importOutput>, unknown> = {
  name: 'ImportResult',
  jsonSchema: schemaOf(importOutput),
  example: { projects: { created: 1, existing: 1 }, tasks: { created: 120, existing: 0 } },
  toRest: (output) => output,
};

/** The document's text, a page of tasks at a time: never the whole export in memory. */
async function* documentText(first: ExportPage, next: (cursor: string) => Promise<ExportPage>) {
  const { version, exportedAt, timezone, projects, tags } = first;
  yield `{"version":${version},"exportedAt":${JSON.stringify(exportedAt)},"timezone":${JSON.stringify(timezone)},`;
  yield `"projects":${JSON.stringify(projects)},"tags":${JSON.stringify(tags)},"tasks":[`;
  let page = first;
  let comma = '';
  for (;;) {
    const chunk = page.tasks.map((task) => JSON.stringify(task)).join(',');
    if (chunk) {
      yield comma + chunk;
      comma = ',';
    }
    if (!page.nextCursor) break;
    page = await next(page.nextCursor);
  }
  yield ']}\n';
}

/** 200 with the whole document, streamed: the first page is the procedure's answer, the rest are asked for as it goes. */
function streamedExport(): Responder<ExportPage> {
  return {
    status: 200,
    body: { resource: exportDocumentResource, array: false },
    send: (reply, output, _userId, more) => {
      const next = (cursor: string) => {
        if (!more) throw new Error('streamedExport needs the next pages');
        return more({ cursor }) as Promise<ExportPage>;
      };
      return reply
        .code(200)
        .type('application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="taskwire-export.json"')
        .send(Readable.from(documentText(output, next)));
    },
  };
}

export const ACCOUNT_ROUTES: readonly AnyRestRoute[] = [
  route({
    method: 'GET',
    path: '/export',
    access: 'user',
    procedure: 'account.export',
    tag: 'account',
    summary: 'Export everything the account owns',
    description:
      'One JSON document, `{ version: 1, exportedAt, timezone, projects, tags, tasks }`, in camelCase (the same document `account.export` gives page by page and import takes): the projects you own, their tags and their tasks, the trash included. Streamed a page at a time (`limit`: tasks per page, `cursor`: start after a page `account.export` gave). A session only: a personal access token gets 403.',
    response: streamedExport(),
  }),
  route({
    method: 'POST',
    path: '/import',
    access: 'user',
    procedure: 'account.import',
    tag: 'account',
    summary: 'Import an export document',
    description:
      'Takes the document `GET /export` gives (camelCase or snake_case keys). All or nothing: one bad row refuses the whole document with 422, one `detail` entry per bad row (at most 50): `loc` is `["body", section, index]`, `msg` names the row (1-based) and the reason. Quotas are checked before anything is written (403). Idempotent: importing the same document again creates nothing. Its body may be as large as `IMPORT_BODY_LIMIT`.',
    largeBody: true,
    example: {
      version: 1,
      projects: exampleDocument.projects,
      tags: exampleDocument.tags,
      tasks: exampleDocument.tasks,
    },
    response: one(importResultResource),
    errors: [400],
  }),
];
