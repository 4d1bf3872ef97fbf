export {
  type CreateDbOptions,
  createDb,
  createPGliteDb,
  type Db,
  type PoolOptions,
  type PoolStats,
  pgliteOptions,
  poolStats,
} from './create-db.js';
export { DataDirInUseError } from './embedded/data-dir-lock.js';
export {
  databaseConstraint,
  databaseErrorCode,
  isDatabaseUnavailable,
  isForeignKeyViolation,
  isRetryableTransactionError,
  isUniqueViolation,
  isUnstorableText,
} from './errors.js';
export { isDatabaseReady, pingDatabase } from './health.js';
export { migrateToLatest } from './migrate.js';
export { type Listener, type ListenOptions, listen, notify } from './notifications.js';
export { createQueryShapes, type QueryShapes, type QueryShapesOptions } from './query-shapes.js';
export type {
  Database,
  NewTaskRow,
  NewUserRow,
  ProjectRole,
  ProjectsTable,
  RecurrenceRule,
  TagRow,
  TagsTable,
  TaskRow,
  TasksTable,
  TaskUpdate,
  UserRow,
  UsersTable,
} from './schema.js';
export { inTransaction, type TransactionOptions } from './transaction.js';
export { uuidv7 } from './uuid.js';
