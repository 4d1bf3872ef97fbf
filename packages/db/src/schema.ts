import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A `timestamptz(3)` column: read as a Date, written as a Date or ISO string, defaulted by the database. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
  id: string;
  /** Stored normalised (trimmed, lower-case); unique on lower(email). */
  email: string;
  password_hash: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TasksTable {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: Generated<boolean>;
  completed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

/** The typed shape of the whole database, for Kysely<Database>. */
export interface Database {
  users: UsersTable;
  tasks: TasksTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type TaskRow = Selectable<TasksTable>;
export type NewTaskRow = Insertable<TasksTable>;
export type TaskUpdate = Updateable<TasksTable>;
