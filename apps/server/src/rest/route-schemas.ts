import { z } from 'zod';
import { procedureInputSchema } from '../doors/trpc-internals/procedures.js';
import { type AnyRestRoute, inputSource, pathFieldOf } from './route.js';
import { type JsonSchema, snakeJsonSchema, snakeKey } from './snake-case.js';

/** A route's parameters and body as JSON Schemas, snake_case, derived from its procedure's input schema. */
export interface RouteSchemas {
  /** Path parameters in URL order, e.g. `['user_id', 'id']`. */
  pathParams: string[];
  /** One property per query parameter (GET and DELETE, by default). */
  query?: ObjectSchema;
  /** The JSON request body (POST, PUT, PATCH, by default). */
  body?: ObjectSchema;
}

export interface ObjectSchema extends JsonSchema {
  properties: Record<string, JsonSchema>;
  required?: string[];
}

const cache = new WeakMap<AnyRestRoute, RouteSchemas>();

/** The path parameters of `/tasks/:id/complete`: `['id']`. */
export const pathParamsOf = (path: string) => [...path.matchAll(/:([a-z_]+)/g)].map((match) => match[1] ?? '');

/** An enum of field names (and its default) in snake_case: `dueAt` → `due_at`. */
function snakeValues(property: JsonSchema): JsonSchema {
  const { enum: values, default: fallback } = property;
  return {
    ...property,
    ...(Array.isArray(values) && { enum: values.map((value) => snakeKey(String(value))) }),
    ...(typeof fallback === 'string' && { default: snakeKey(fallback) }),
  };
}

/** What the procedure's input looks like to a REST client: snake_case, without what the path carries. */
function restInputSchema(route: AnyRestRoute, params: string[]): ObjectSchema | undefined {
  const input = procedureInputSchema(route.procedure);
  if (!input) return undefined;
  // The input fields the path fills, in snake_case like the schema's.
  const pathParams = params.map((param) => snakeKey(pathFieldOf(route, param)));
  const { $schema: _, ...camel } = z.toJSONSchema(input, {
    io: 'input',
    target: 'draft-2020-12',
    // Transforms (trimming, normalising) run after validation; the input side is what a client sends.
    unrepresentable: 'any',
  });
  const schema = snakeJsonSchema(camel) as Partial<ObjectSchema>;
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {})
      .filter(([name]) => !pathParams.includes(name))
      .map(([name, property]) => [name, route.fieldNameParams?.includes(name) ? snakeValues(property) : property]),
  );
  if (Object.keys(properties).length === 0) return undefined;
  const required = [...(schema.required ?? []), ...(route.requiredBodyFields ?? [])].filter(
    (name, index, all) => !pathParams.includes(name) && all.indexOf(name) === index,
  );
  // The object's own `default` ({} for optional inputs) and `required` are replaced, not kept.
  const { default: _default, required: _required, ...rest } = schema;
  return { ...rest, type: 'object', properties, ...(required.length > 0 && { required }) };
}

/** The schemas of one route (computed once). */
export function routeSchemas(route: AnyRestRoute): RouteSchemas {
  const cached = cache.get(route);
  if (cached) return cached;
  const pathParams = [...(route.access === 'user' ? ['user_id'] : []), ...pathParamsOf(route.path)];
  const input = restInputSchema(route, pathParams);
  const schemas: RouteSchemas = {
    pathParams,
    ...(input && (inputSource(route) === 'query' ? { query: input } : { body: input })),
  };
  cache.set(route, schemas);
  return schemas;
}
