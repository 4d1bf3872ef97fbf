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
