import { sql } from 'kysely';

/**
 * The transaction's time, for what a change stamps on a row (updated_at, completed_at, deleted_at):
 * every row a change touches carries the same instant. Comparisons with "now" (overdue, due today)
 * use the API's clock instead, `ctx.now()`, which tests move.
 */
export const transactionTime = sql<Date>`now()`;
