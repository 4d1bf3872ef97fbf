import fc from 'fast-check';
import { z } from 'zod';

// Inputs for fuzzing a procedure, derived from its zod schema (through its JSON Schema): values
// the schema accepts, values at and past its bounds, and hostile values (wrong types, huge and
// strange strings, deep nesting, prototype keys) in place of the whole input or of one field.

type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
};

const isoDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

/** Strings that have broken parsers, databases and regular expressions before. */
const nastyStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uFFFF',
  '🧨'.repeat(300),
  'Σ ς σ İ ı ß',
  "'; drop table tasks; --",
  '%s%n%x',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '0000-00-00T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '2024-02-30T25:61:61+24:00',
  '__proto__',
  'constructor',
  // Past Node's 16 KiB header limit when sent in a query's URL.
  'x'.repeat(20_000),
);

/** Nested arrays and objects far deeper than any input. */
const deepNesting = fc.integer({ min: 20, max: 400 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { nested: value };
  return value;
});

/** Objects whose own keys try to reach the prototype. */
const prototypeKeys = fc.constantFrom(
  JSON.parse('{"__proto__":{"isAdmin":true}}'),
  JSON.parse('{"constructor":{"prototype":{"isAdmin":true}}}'),
  JSON.parse('{"__proto__":null,"id":"00000000-0000-0000-0000-000000000000"}'),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyStrings,
  deepNesting,
  prototypeKeys,
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, -0, 1.5, 2 ** 53, -(2 ** 63), 1e308, [], {}, [null]),
);

/**
 * Real ids for the fuzzer to use: `any` for every uuid field, and the right kind for a field named
 * in `byField` (a `projectId` gets projects, an `invitationId` invitations), so calls reach past
 * "not found" into the procedure's work.
 */
export type KnownIds = { any: string[]; byField?: Record<string, string[]> };

function poolOf(knownIds: string[] | KnownIds): KnownIds {
  return Array.isArray(knownIds) ? { any: knownIds } : knownIds;
}

function stringFor(schema: JsonSchema, knownIds: string[]): fc.Arbitrary<string> {
  // Real ids half the time, so calls reach past "not found" into the procedure's work.
  if (schema.format === 'uuid') {
    return knownIds.length
      ? fc.oneof({ arbitrary: fc.constantFrom(...knownIds), weight: 3 }, { arbitrary: fc.uuid(), weight: 1 })
      : fc.uuid();
  }
  if (schema.format === 'email') {
    return fc.oneof(
      fc.emailAddress(),
      fc.stringMatching(/^[a-z0-9.]{1,30}$/).map((local) => `${local}@example.com`),
    );
  }
  if (schema.format === 'uri') {
    // Webhook URLs: a public address (no DNS needed), the refused kinds, and near misses.
    return fc.oneof(
      { arbitrary: fc.constant('https://93.184.215.14/hook'), weight: 3 },
      fc.constantFrom(
        'https://127.0.0.1/',
        'https://[::1]/',
        'http://93.184.215.14/',
        'ftp://93.184.215.14/',
        'https://10.0.0.1/',
      ),
      fc.string({ maxLength: 40 }).map((path) => `https://93.184.215.14/${encodeURIComponent(path)}`),
      fc.string({ maxLength: 40 }),
    );
  }
  if (schema.format === 'date-time') return isoDate;
  if (schema.format === 'date') return isoDate.map((value) => value.slice(0, 10));
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 50, 300);
  return fc.oneof(
    { arbitrary: fc.string({ minLength, maxLength }), weight: 4 },
    { arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }), weight: 2 },
    // Plain values some string fields only accept (time zones are strings to the schema).
    {
      arbitrary: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'groceries', 'Call the dentist'),
      weight: 2,
    },
    // Exactly at the bounds, and one past them.
    fc.constantFrom(
      'x'.repeat(schema.maxLength ?? 1_000),
      'x'.repeat((schema.maxLength ?? 1_000) + 1),
      'x'.repeat(Math.max(0, minLength - 1)),
    ),
  );
}

function numberFor(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e6;
  const max = schema.maximum ?? schema.exclusiveMaximum ?? 1e6;
  const inRange = integer
    ? fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof({ arbitrary: inRange, weight: 3 }, fc.constantFrom(min, max, min - 1, max + 1));
}

/** Values shaped by the schema: mostly valid, with boundaries and near misses mixed in. */
export function fromSchema(schema: JsonSchema, knownIds: string[] | KnownIds = []): fc.Arbitrary<unknown> {
  const pool = poolOf(knownIds);
  const recurse = (inner: JsonSchema, ids: string[] = pool.any) => fromSchema(inner, { ...pool, any: ids });
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((variant) => recurse(variant)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'string':
      return stringFor(schema, pool.any);
    case 'integer':
      return numberFor(schema, true);
    case 'number':
      return numberFor(schema, false);
    case 'array': {
      const maxLength = Math.min(schema.maxItems ?? 5, 5);
      return fc.array(schema.items ? recurse(schema.items) : fc.jsonValue({ maxDepth: 1 }), {
        minLength: Math.min(schema.minItems ?? 0, maxLength),
        maxLength,
      });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const required = (schema.required ?? []).filter((key) => properties[key]?.default === undefined);
      const shape = Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [
          key,
          // A pipe's input side carries no format: an email field reads as a plain string.
          key === 'email' ? recurse({ ...value, format: 'email' }) : recurse(value, pool.byField?.[key] ?? pool.any),
        ]),
      );
      const usual = fc.record(shape, { requiredKeys: required });
      const optional = Object.keys(shape).filter((key) => !required.includes(key));
      if (optional.length === 0) return usual;
      // Every optional key at even odds, and sparse objects with at most two of them: a call
      // whose many optional fields must all pass (task.update has eleven) rarely reaches its work.
      const sparse = fc
        .tuple(fc.record(shape), fc.subarray(optional, { maxLength: Math.min(2, optional.length) }))
        .map(([full, chosen]) =>
          Object.fromEntries(Object.entries(full).filter(([key]) => required.includes(key) || chosen.includes(key))),
        );
      return fc.oneof(usual, sparse);
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** One field of a valid object replaced by a hostile value, removed, or joined by an unknown key. */
function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, hostileValue, fc.nat(), fc.constantFrom('replace', 'remove', 'extra'))
    .map(([value, hostile, pick, how]) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return hostile;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const key = keys.length ? keys[pick % keys.length] : undefined;
      if (how === 'extra' || key === undefined) {
        Object.defineProperty(copy, pick % 2 ? '__proto__' : 'unexpected', { value: hostile, enumerable: true });
      } else if (how === 'remove') {
        delete copy[key];
      } else {
        copy[key] = hostile;
      }
      return copy;
    });
}

/** Inputs for a procedure: valid (using `knownIds` for ids at times), mutated, hostile, or none at all. */
export function inputsFor(schema: z.ZodType | undefined, knownIds: string[] | KnownIds = []): fc.Arbitrary<unknown> {
  if (!schema) return fc.oneof(fc.constant(undefined), hostileValue);
  const jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const valid = fromSchema(jsonSchema, knownIds);
  return fc.oneof(
    { arbitrary: valid, weight: 4 },
    { arbitrary: mutated(valid), weight: 3 },
    { arbitrary: hostileValue, weight: 2 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}
