export { type CreateDbOptions, createDb, createPGliteDb, type Db, type PoolOptions } from './create-db.js';
export { databaseErrorCode, isForeignKeyViolation, isUniqueViolation } from './errors.js';
export { isDatabaseReady } from './health.js';
export { migrateToLatest } from './migrate.js';
export { PGliteDialect } from './pglite-dialect.js';
export type {
  Database,
  NewTaskRow,
  NewUserRow,
  TaskRow,
  TasksTable,
  TaskUpdate,
  UserRow,
  UsersTable,
} from './schema.js';
export { uuidv7 } from './uuid.js';
