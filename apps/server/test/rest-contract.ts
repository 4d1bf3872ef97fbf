import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { expect } from 'vitest';

// A REST client for tests that checks every answer against the served OpenAPI document: the
// operation must be documented, its status too, and the body must match that status's schema.
// It records which operations were called, so a suite can prove it exercised all of them.

export type OpenApiDocument = {
  paths: Record<string, Record<string, { requestBody?: object; responses: Record<string, { content?: object }> }>>;
};

export interface RestResponse<Body = unknown> {
  status: number;
  headers: Headers;
  body: Body;
}

export interface RequestOptions {
  token?: string | undefined;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as it is (with content-type application/json), for malformed bodies. */
  raw?: string;
  headers?: Record<string, string>;
}

// biome-ignore lint/suspicious/noExplicitAny: bodies are checked against the document; tests then read them freely.
type CheckedJson = any;

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** `/api/{user_id}/tasks/{id}` → a regex matching concrete paths. */
const templateRegex = (template: string) =>
  new RegExp(`^${template.replace(/\{[a-z_]+\}/g, '[^/]+').replace(/\//g, '\\/')}$`);

export async function fetchDocument(baseUrl: string): Promise<OpenApiDocument> {
  const response = await fetch(`${baseUrl}/openapi.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as OpenApiDocument;
}

/** Validates the document as OpenAPI 3.1 with @seriousme/openapi-schema-validator. */
export async function validateDocument(document: OpenApiDocument) {
  return new Validator().validate(document as unknown as Record<string, unknown>);
}

type Send = <Body = CheckedJson>(path: string, options?: RequestOptions) => Promise<RestResponse<Body>>;

export interface ContractClient {
  request<Body = CheckedJson>(method: string, path: string, options?: RequestOptions): Promise<RestResponse<Body>>;
  get: Send;
  post: Send;
  put: Send;
  patch: Send;
  delete: Send;
  /** Documented operations ("GET /api/{user_id}/tasks") no request reached. */
  uncalled(): string[];
  /** How many documented operations were called. */
  calledCount(): number;
  /** Every response body received, for "never contains" checks. */
  responseTexts(): readonly string[];
}

export function createContractClient(baseUrl: string, document: OpenApiDocument): ContractClient {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // A CommonJS module: its default export is under .default for TypeScript's NodeNext view.
  ajvFormats.default(ajv);
  ajv.addSchema(document, 'openapi.json');
  const texts: string[] = [];
  const validators = new Map<string, ValidateFunction>();
  const templates = Object.keys(document.paths).map((template) => ({ template, regex: templateRegex(template) }));
  /** "GET /api/{user_id}/tasks" → how many times it was called. */
  const called = new Map<string, number>();

  /** The documented template of a concrete path; `/api/tasks` and `/api/me/tasks` are `/api/{user_id}/tasks`. */
  function templateOf(path: string): string | undefined {
    const find = (candidate: string) => templates.find(({ regex }) => regex.test(candidate))?.template;
    return find(path) ?? find(`/api/me${path.slice('/api'.length)}`);
  }

  function compilePointer(parts: string[]): ValidateFunction {
    const key = parts.join(' ');
    let validate = validators.get(key);
    if (!validate) {
      const pointer = parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
      validate = ajv.compile({ $ref: `openapi.json#/${pointer}` });
      validators.set(key, validate);
    }
    return validate;
  }

  /** A JSON body the server accepted must be one the document describes (so it cannot under-document inputs). */
  function checkAcceptedBody(method: string, template: string, json: unknown) {
    if (!document.paths[template]?.[method]?.requestBody) {
      throw new Error(`${method.toUpperCase()} ${template} accepted a JSON body, but documents none`);
    }
    const validate = compilePointer([
      'paths',
      template,
      method,
      'requestBody',
      'content',
      'application/json',
      'schema',
    ]);
    if (!validate(json)) {
      throw new Error(
        `${method.toUpperCase()} ${template} accepted a body the document refuses: ${ajv.errorsText(validate.errors)}`,
      );
    }
  }

  function validatorFor(method: string, template: string, status: number): ValidateFunction | 'no body' {
    const responses = document.paths[template]?.[method]?.responses;
    const response = responses?.[String(status)];
    if (!response) throw new Error(`${method.toUpperCase()} ${template} answered ${status}, which is not documented`);
    if (!response.content) return 'no body';
    return compilePointer([
      'paths',
      template,
      method,
      'responses',
      String(status),
      'content',
      'application/json',
      'schema',
    ]);
  }

  async function request<Body = CheckedJson>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<RestResponse<Body>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.raw !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = options.raw;
    }
    const response = await fetch(baseUrl + path, { method, headers, body });
    const text = await response.text();
    texts.push(text);
    const parsed: unknown = text ? JSON.parse(text) : undefined;

    const lower = method.toLowerCase();
    const template = templateOf(path.split('?')[0] ?? path);
    if (!template || !document.paths[template]?.[lower]) {
      throw new Error(`${method} ${path} is not a documented operation`);
    }
    called.set(`${method.toUpperCase()} ${template}`, (called.get(`${method.toUpperCase()} ${template}`) ?? 0) + 1);
    if (response.ok && options.json !== undefined) checkAcceptedBody(lower, template, options.json);
    const validate = validatorFor(lower, template, response.status);
    if (validate === 'no body') {
      expect(text, `${method} ${path} ${response.status} has no body`).toBe('');
    } else if (!validate(parsed)) {
      throw new Error(
        `${method} ${path} ${response.status}: body does not match the document: ${ajv.errorsText(validate.errors)}\n${text}`,
      );
    }
    return { status: response.status, headers: response.headers, body: parsed as Body };
  }

  return {
    request,
    get: <Body = CheckedJson>(path: string, options?: RequestOptions) => request<Body>('GET', path, options),
    post: <Body = CheckedJson>(path: string, options?: RequestOptions) => request<Body>('POST', path, options),
    put: <Body = CheckedJson>(path: string, options?: RequestOptions) => request<Body>('PUT', path, options),
    patch: <Body = CheckedJson>(path: string, options?: RequestOptions) => request<Body>('PATCH', path, options),
    delete: <Body = CheckedJson>(path: string, options?: RequestOptions) => request<Body>('DELETE', path, options),
    uncalled() {
      return Object.entries(document.paths).flatMap(([template, operations]) =>
        METHODS.filter((method) => operations[method])
          .map((method) => `${method.toUpperCase()} ${template}`)
          .filter((operation) => !called.has(operation)),
      );
    },
    calledCount: () => called.size,
    responseTexts: () => texts,
  };
}
