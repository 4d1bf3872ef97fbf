import type { ObjectSchema } from './route-schemas.js';
import type { JsonSchema } from './snake-case.js';

/** The JSON types a schema allows, looking through `anyOf` (how nullable and optional fields appear). */
function typesOf(schema: JsonSchema | undefined): Set<string> {
  const types = new Set<string>();
  if (!schema) return types;
  const { type, anyOf } = schema;
  if (typeof type === 'string') types.add(type);
  if (Array.isArray(type)) for (const each of type) types.add(String(each));
  if (Array.isArray(anyOf))
    for (const member of anyOf) for (const each of typesOf(member as JsonSchema)) types.add(each);
  return types;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function coerce(value: string | string[], types: Set<string>): unknown {
  // Repeated parameters (`?priority=high&priority=low`) are arrays; one occurrence of an array parameter is too.
  if (types.has('array')) return Array.isArray(value) ? value : [value];
  if (Array.isArray(value)) return value;
  if ((types.has('integer') || types.has('number')) && NUMBER.test(value)) return Number(value);
  if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/**
 * Query strings carry only text: give each parameter the type its documented schema has, so the
 * procedure's own schema validates it. Anything that does not fit stays text and is refused there;
 * unknown parameters pass through and are refused there too (the procedure inputs are strict).
 */
export function coerceQuery(raw: Record<string, string | string[]>, schema: ObjectSchema | undefined) {
  return Object.fromEntries(
    Object.entries(raw).map(([name, value]) => [name, coerce(value, typesOf(schema?.properties[name]))]),
  );
}
