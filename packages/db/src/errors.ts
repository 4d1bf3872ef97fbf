/** The SQLSTATE of a Postgres error from either driver (pg and PGlite both expose `code`), or undefined. */
export function databaseErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** 23505: a unique constraint or index rejected the write. */
export function isUniqueViolation(error: unknown): boolean {
  return databaseErrorCode(error) === '23505';
}

/** 22021: text the database cannot store (a NUL character, an invalid byte sequence). */
export function isUnstorableText(error: unknown): boolean {
  return databaseErrorCode(error) === '22021';
}

/** 23503: a foreign key rejected the write (e.g. the owning user no longer exists). */
export function isForeignKeyViolation(error: unknown): boolean {
  return databaseErrorCode(error) === '23503';
}

/** The name of the constraint a write violated, from either driver, or undefined. */
export function databaseConstraint(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('constraint' in error)) return undefined;
  const constraint = (error as { constraint: unknown }).constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

// Node's socket errors, and what pg and pg-pool say when the server is gone or unreachable.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'connection error',
  'Client has encountered a connection error',
  'the database system is starting up',
  'the database system is shutting down',
];

/**
 * True when the database could not be reached or dropped the connection (an outage, a restart,
 * a terminated backend, a full pool), as opposed to a query that failed on its own merits.
 * SQLSTATE classes 08 (connection exception), 57P01–57P03 (shutdown, cannot connect now),
 * 53300 (too many connections) and 57014 (statement timeout).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (
      NETWORK_CODES.has(code) ||
      code.startsWith('08') ||
      ['57P01', '57P02', '57P03', '53300', '57014'].includes(code)
    ) {
      return true;
    }
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
  // AggregateError (connecting to several addresses) and wrapped causes.
  const nested = (error as { errors?: unknown; cause?: unknown }).errors ?? (error as { cause?: unknown }).cause;
  return Array.isArray(nested)
    ? nested.some(isDatabaseUnavailable)
    : nested !== undefined && isDatabaseUnavailable(nested);
}

/** 40001 serialization failure or 40P01 deadlock: the transaction may simply be run again. */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = databaseErrorCode(error);
  return code === '40001' || code === '40P01';
}
