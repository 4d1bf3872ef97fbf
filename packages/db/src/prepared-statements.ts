import { createHash } from 'node:crypto';
import type pg from 'pg';

// Every parameterised statement goes to Postgres as a named prepared statement: Postgres parses
// and analyses its text once per connection instead of on every call. The name is a hash of the
// text, so one text is one statement however many calls send it. Statements without parameters
// (begin, commit) stay simple queries.
//
// PgBouncer in transaction mode does not keep named statements before version 1.21 (with
// max_prepared_statements): set DATABASE_PREPARED_STATEMENTS=false there (docs/deploy.md).

const names = new Map<string, string>();
const MAX_NAMES = 2_000;

/** The statement name for a SQL text: stable across connections and processes. */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `tw_${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
    // Texts are a bounded set (the code's queries), but never let a map of them grow without end.
    if (names.size >= MAX_NAMES) names.delete(names.keys().next().value ?? '');
    names.set(text, name);
  }
  return name;
}

/** Sends this client's parameterised queries as named prepared statements. */
export function prepareStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (text: unknown, values: unknown, ...rest: unknown[]) =>
    typeof text === 'string' && Array.isArray(values) && values.length > 0
      ? query({ name: statementName(text), text, values }, ...rest)
      : query(text, values, ...rest);
}
