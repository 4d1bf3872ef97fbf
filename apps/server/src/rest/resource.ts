import { z } from 'zod';
import { type JsonSchema, type Snake, snakeJsonSchema, toSnake } from './snake-case.js';

// The examples' ids and time, shared by every resource's example so they read as one account's data.
export const EXAMPLE_USER_ID = '0193a5b2-7c41-7e2a-9b3f-6d1e2f3a4b5c';
export const EXAMPLE_PROJECT_ID = '0193a5b2-7c41-7e2a-9b3f-6d1e2f3a4b60';
export const EXAMPLE_TIME = '2026-11-28T09:30:00.000Z';

/**
 * One REST resource: how a procedure's output becomes the snake_case body (`toRest`), and the JSON
 * Schema of that body for the document. Both come from one camelCase zod schema, so they agree.
 */
export interface RestResource<Output, Body> {
  /** The schema's name under components.schemas. */
  name: string;
  jsonSchema: JsonSchema;
  example: Body;
  /** `userId` is the caller's: tasks carry it, though the procedures leave it implicit. */
  toRest(output: Output, userId: string): Body;
}

/** A resource from its camelCase zod schema, its example and (when they differ) how the output fits it. */
export function defineResource<Schema extends z.ZodType, Output = z.output<Schema>>(definition: {
  name: string;
  schema: Schema;
  example: z.output<Schema>;
  /** Adapts the procedure's output to the schema, when they differ (e.g. adding user_id). */
  fromOutput?: (output: Output, userId: string) => z.output<Schema>;
  /**
   * `toSnake(fromOutput(output, userId))` in one pass, for a resource on every answer (tasks): its
   * type spells out every snake_case field, and a test holds it equal to the two-step mapping.
   */
  toRestDirect?: (output: Output, userId: string) => Snake<z.output<Schema>>;
}): RestResource<Output, Snake<z.output<Schema>>> {
  const { name, schema, example, fromOutput = (output: Output) => output as z.output<Schema> } = definition;
  const { $schema: _, ...jsonSchema } = z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-2020-12',
    // A transform's result has no schema (a recurrence's `until`, normalised to UTC): any value.
    unrepresentable: 'any',
  });
  return {
    name,
    jsonSchema: snakeJsonSchema(jsonSchema),
    example: toSnake(example),
    toRest: definition.toRestDirect ?? ((output, userId) => toSnake(fromOutput(output, userId))),
  };
}
