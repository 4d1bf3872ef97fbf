import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';

// Every procedure declares its output with a zod schema: the types clients see and the documents
// REST and MCP publish come from it. Checking each answer against it costs about 20 µs per page of
// 20 tasks, 3 % of a list request, so production trusts the code that builds the answer, and
// tests and development check every one. A check only checks: the answer is sent as built, so
// it must already be exactly what the schema says (no undeclared field that zod would strip).

let checking = false;

/** Whether procedures check what they answer against their output schemas (tests, development). */
export function checkOutputs(on: boolean): void {
  checking = on;
}

/** An output parser for `.output()`: the schema's types always, its check only when `checkOutputs(true)`. */
export function output<Schema extends z.ZodType>(schema: Schema) {
  return {
    _input: undefined as unknown as z.input<Schema>,
    _output: undefined as unknown as z.output<Schema>,
    parse(value: unknown): z.output<Schema> {
      if (checking && !isDeepStrictEqual(schema.parse(value), value)) {
        throw new Error('The output is not exactly what its schema declares');
      }
      return value as z.output<Schema>;
    },
    /** The schema itself, for documents (OpenAPI, MCP) derived from the procedure. */
    schema,
  };
}
