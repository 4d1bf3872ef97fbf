// The REST surface speaks snake_case, the procedures camelCase. The conversion is one rule applied
// in one place, to values and to JSON Schemas alike, so a document generated from the procedures'
// schemas and the bodies the mappers produce cannot disagree about a field's name.

type SnakeKey<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeKey<Tail>}`
  : S;

/** The type of `toSnake(value)`: every object key renamed, recursively. */
export type Snake<T> = T extends readonly (infer Item)[]
  ? Snake<Item>[]
  : T extends object
    ? { [K in keyof T as K extends string ? SnakeKey<K> : K]: Snake<T[K]> }
    : T;

// Field names are a small set, renamed on every answer: remembered, not recomputed (bounded).
const snakeKeys = new Map<string, string>();

/** `dueAt` → `due_at`. */
export function snakeKey(key: string): string {
  let snake = snakeKeys.get(key);
  if (snake === undefined) {
    snake = key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    if (snakeKeys.size < 10_000) snakeKeys.set(key, snake);
  }
  return snake;
}

/** Every camelCase name in a sentence in snake_case: `"dueAt" must not be before "remindAt"` → `"due_at" …`. */
export const snakeWords = (text: string): string => text.replace(/\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\b/g, snakeKey);

/** `due_at` → `dueAt`. Keys already in camelCase are left as they are. */
export const camelKey = (key: string): string =>
  key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

/** A JSON object (not an array, not null). */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// How deep the fast, recursive rename goes before handing a subtree to the iterative one.
const RECURSION_LIMIT = 64;

/**
 * A copy of `value` with every object key renamed: any object that is not an array becomes a
 * plain object of its own enumerable keys. Recursive, which is fast for the shallow documents
 * every answer is; below RECURSION_LIMIT levels the iterative walk takes over, so however deep a
 * request's document is, this never overflows the call stack (a recursive walk did, at 10 000).
 */
function renameKeysDeep(value: unknown, rename: (key: string) => string, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth === RECURSION_LIMIT) return renameKeysIteratively(value, rename);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(renameKeysDeep(item, rename, depth + 1));
    return out;
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) out[rename(key)] = renameKeysDeep(source[key], rename, depth + 1);
  return out;
}

/** `renameKeysDeep` with its own stack instead of the call stack, for documents of any depth. */
function renameKeysIteratively(value: unknown, rename: (key: string) => string): unknown {
  const copy = (item: unknown): unknown => (Array.isArray(item) ? [] : isPlainObject(item) ? {} : item);
  const root = copy(value);
  const stack: [source: unknown, target: unknown][] = [[value, root]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [source, target] = next;
    if (Array.isArray(source)) {
      const out = target as unknown[];
      for (const item of source) {
        const child = copy(item);
        out.push(child);
        if (child !== item) stack.push([item, child]);
      }
    } else if (isPlainObject(source)) {
      const out = target as Record<string, unknown>;
      for (const [key, item] of Object.entries(source)) {
        const child = copy(item);
        out[rename(key)] = child;
        if (child !== item) stack.push([item, child]);
      }
    }
  }
  return root;
}

/** A procedure's output as REST answers it: every key in snake_case, recursively. */
export function toSnake<T>(value: T): Snake<T> {
  return renameKeysDeep(value, snakeKey) as Snake<T>;
}

/** A REST request's body or query as the procedure takes it: every key in camelCase, recursively. */
export function toCamel(value: unknown): unknown {
  return renameKeysDeep(value, camelKey);
}

/** A zod issue's path as REST names it: `['set', 'dueAt']` → `['set', 'due_at']`. */
export function snakePath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((part) => (typeof part === 'number' ? part : snakeKey(String(part))));
}

export type JsonSchema = { [keyword: string]: unknown };

// Keywords whose value is data in the described shape (so its keys are renamed like a body's).
const DATA_KEYWORDS = new Set(['default', 'examples', 'example', 'const']);
// Keywords whose value is data that is never an object with field names.
const OPAQUE_KEYWORDS = new Set(['enum', 'pattern', 'format', 'type', 'description', 'title', '$schema']);

/** The JSON Schema of `toSnake(value)`, given the JSON Schema of `value`. */
export function snakeJsonSchema(schema: JsonSchema): JsonSchema {
  const result: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'properties' && isPlainObject(value)) {
      result[keyword] = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [snakeKey(name), snakeSubschema(property)]),
      );
    } else if (keyword === 'required' && Array.isArray(value)) {
      result[keyword] = value.map((name) => snakeKey(String(name)));
    } else if (DATA_KEYWORDS.has(keyword)) {
      result[keyword] = toSnake(value);
    } else if (OPAQUE_KEYWORDS.has(keyword)) {
      result[keyword] = value;
    } else {
      result[keyword] = snakeSubschema(value);
    }
  }
  return result;
}

function snakeSubschema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeSubschema);
  return isPlainObject(value) ? snakeJsonSchema(value) : value;
}
