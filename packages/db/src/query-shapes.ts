import { isDeepStrictEqual } from 'node:util';
import type { Compilable, CompiledQuery } from 'kysely';
import type { Db } from './create-db.js';

// Kysely builds an immutable tree and compiles it on every call: 11 % of a task.list request's CPU.
// A query's text depends only on its shape (which filters, which sort, a cursor or not), so each
// shape is compiled once, with placeholders where its values go, and later calls of that shape
// put their values into the placeholders' positions.
//
// Safety does not rest on the builder's author alone. The first call of a shape builds the query
// twice, with placeholders and with its real values, and keeps the template only if both give the
// same text and, with the values put in, the same parameters. A builder that computes with a
// value (adds to it, maps it, parses it) gives a different text or parameter there, and its shape
// is then always built the normal way. What one call cannot show is a value deciding the text in
// some other way than being absent, null, falsy or truthy, or by an array's length: those are
// part of the template's key, and anything else (an enum, a sort) belongs in `shape`.
//
// The rule for a builder: it may branch on `shape` freely, and use `values` only as parameters or
// in tests of presence, null and truth. The equivalence tests run every task.list shape both ways.

/** Where one of a call's values goes in a template. */
class Placeholder {
  constructor(readonly index: number) {}
}

type Template = Pick<CompiledQuery, 'sql' | 'query' | 'queryId'> & { parameters: readonly unknown[] };

interface Walked {
  /** The values with each leaf replaced by its placeholder (only when asked: a template's first call). */
  placeholders: unknown;
  /** The leaves, in the order of their placeholders' indexes. */
  leaves: unknown[];
  /**
   * What a builder may branch on, one mark per node: absent, null, false or true for booleans
   * (which stay themselves: they decide text, like `where completed = true`), falsy or truthy
   * for other leaves, and each array's length (an `in (…)` list has one parameter per item).
   */
  signature: string;
}

/**
 * Walks plain objects and arrays; anything else (strings, numbers, Dates) is a leaf and becomes a
 * placeholder. Absent and null values stay as they are, so tests of presence and null see the truth.
 */
function walk(values: unknown, withPlaceholders: boolean): Walked {
  const leaves: unknown[] = [];
  let signature = '';
  const visit = (value: unknown): unknown => {
    if (value === undefined) {
      signature += 'u';
      return value;
    }
    if (value === null) {
      signature += 'n';
      return value;
    }
    if (typeof value === 'boolean') {
      signature += value ? '1' : '0';
      return value;
    }
    if (Array.isArray(value)) {
      signature += `[${value.length}`;
      const items = withPlaceholders ? value.map(visit) : value.forEach(visit);
      signature += ']';
      return items;
    }
    if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      signature += '{';
      const out: Record<string, unknown> = {};
      for (const key in value) {
        signature += `${key}:`;
        const visited = visit((value as Record<string, unknown>)[key]);
        if (withPlaceholders) out[key] = visited;
      }
      signature += '}';
      return out;
    }
    signature += value ? 't' : 'f';
    leaves.push(value);
    return withPlaceholders ? new Placeholder(leaves.length - 1) : undefined;
  };
  return { placeholders: visit(values), leaves, signature };
}

const fill = (parameter: unknown, leaves: readonly unknown[]): unknown =>
  parameter instanceof Placeholder
    ? leaves[parameter.index]
    : Array.isArray(parameter)
      ? parameter.map((item) => fill(item, leaves))
      : parameter;

export interface QueryShapesOptions {
  /** Templates kept at most (shapes are a bounded set; this bounds a mistake). */
  maxShapes?: number;
  /** Off: every call builds its query (the equivalence tests compare both ways). */
  enabled?: boolean;
}

export interface QueryShapes {
  /**
   * Runs the query `build` makes for `shape` and `values`, from the shape's template when it has
   * one. `name` names the builder (two builders never share templates).
   */
  execute<Shape, Values, Row>(
    db: Db,
    name: string,
    shape: Shape,
    values: Values,
    build: (db: Db, shape: Shape, values: Values) => Compilable<Row>,
  ): Promise<Row[]>;
  /** Shapes whose template did not match their real query (a builder breaking the rule). */
  readonly refused: ReadonlySet<string>;
  readonly size: number;
}

export function createQueryShapes({ maxShapes = 1_000, enabled = true }: QueryShapesOptions = {}): QueryShapes {
  // null: this shape's template did not match, so it is always built.
  const templates = new Map<string, Template | null>();
  const refused = new Set<string>();

  return {
    refused,
    get size() {
      return templates.size;
    },
    async execute(db, name, shape, values, build) {
      if (!enabled) return (await db.executeQuery(build(db, shape, values))).rows;
      const { leaves, signature } = walk(values, false);
      const key = `${name}\u0000${JSON.stringify(shape)}\u0000${signature}`;
      const template = templates.get(key);
      if (template) {
        const compiled: CompiledQuery<never> = {
          ...template,
          parameters: template.parameters.map((p) => fill(p, leaves)),
        };
        return (await db.executeQuery(compiled)).rows as never;
      }
      const real = build(db, shape, values).compile();
      if (template === undefined) {
        let made: Template | null = null;
        try {
          const { placeholders } = walk(values, true);
          const compiled = build(db, shape, placeholders as typeof values).compile();
          const same =
            compiled.sql === real.sql &&
            isDeepStrictEqual(
              compiled.parameters.map((p) => fill(p, leaves)),
              real.parameters,
            );
          if (same) made = compiled;
        } catch {
          // A builder that cannot take placeholders is built every time.
        }
        if (made === null) refused.add(key);
        if (templates.size >= maxShapes) {
          const oldest = templates.keys().next().value ?? '';
          templates.delete(oldest);
          refused.delete(oldest);
        }
        templates.set(key, made);
      }
      return (await db.executeQuery(real)).rows;
    },
  };
}
