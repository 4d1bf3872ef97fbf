import pg from 'pg';

/** The admin connection for a benchmark database: the same server, its `postgres` database. */
function adminClient(url: string): pg.Client {
  return new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
}

/** Drops and creates the database `url` names, so a benchmark starts from nothing. */
export async function recreateDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = adminClient(url);
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  await admin.end();
}

/** Creates the database `url` names unless it exists (a benchmark that reuses its data). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = adminClient(url);
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
  if (exists.rowCount === 0) await admin.query(`create database "${name.replaceAll('"', '')}"`);
  await admin.end();
}
