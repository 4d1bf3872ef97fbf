import { type Kysely, sql } from 'kysely';

// Timestamps are timestamptz(3): millisecond precision round-trips exactly through a JS Date,
// so a keyset cursor built from a row's created_at matches that row again.
const timestamp = sql`timestamptz(3)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', timestamp, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', timestamp, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('users_email_length', sql`char_length(email) between 3 and 254`)
    .execute();

  await db.schema.createIndex('users_email_lower_key').on('users').unique().expression(sql`lower(email)`).execute();

  // The primary key leads with user_id like every index here, so the table can later be
  // distributed by user_id (Citus and the like require the distribution column in unique keys).
  await db.schema
    .createTable('tasks')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('id', 'uuid', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('completed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('completed_at', timestamp)
    .addColumn('created_at', timestamp, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', timestamp, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('tasks_pkey', ['user_id', 'id'])
    .addCheckConstraint('tasks_title_length', sql`char_length(title) between 1 and 200`)
    .addCheckConstraint('tasks_description_length', sql`char_length(description) <= 10000`)
    .addCheckConstraint('tasks_completed_at_matches', sql`completed = (completed_at is not null)`)
    .addCheckConstraint('tasks_version_positive', sql`version >= 1`)
    .execute();

  await sql`create index tasks_user_created_idx on tasks (user_id, created_at desc, id desc)`.execute(db);
}
