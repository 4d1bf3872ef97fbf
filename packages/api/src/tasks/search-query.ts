import { type RawBuilder, sql } from 'kysely';

const WORD = /^[\p{L}\p{N}]+$/u;

/**
 * The tsquery for a search box: websearch_to_tsquery semantics ("quoted phrases", -exclusions,
 * or), with the last word also matching as a prefix so that "buy mi" finds "Buy milk" while typing.
 * The prefix word is only letters and digits, so it cannot inject tsquery syntax.
 */
export function searchQuery(q: string): RawBuilder<string> {
  const tokens = q.trim().split(/\s+/);
  const last = tokens.at(-1) ?? '';
  const insideQuotes = (q.match(/"/g)?.length ?? 0) % 2 === 1;
  const beforeLast = tokens.at(-2)?.toLowerCase();
  // "milk or bre" must stay an OR; the prefix form would AND the last word in.
  if (!WORD.test(last) || insideQuotes || last.toLowerCase() === 'or' || beforeLast === 'or') {
    return sql<string>`websearch_to_tsquery('english', ${q})`;
  }
  const rest = tokens.slice(0, -1).join(' ');
  return sql<string>`(websearch_to_tsquery('english', ${rest}) && to_tsquery('english', ${`${last}:*`}))`;
}
