import { sql } from 'kysely';
import type { Db } from './create-db.js';

/** True when the database answers a trivial query within `timeoutMs`. Never throws. */
export async function isDatabaseReady(db: Db, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a trivial query; throws the driver's error when the database cannot be reached or opened. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
