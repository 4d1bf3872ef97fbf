import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb, createPGliteDb, pgliteOptions } from '../create-db.js';
import { migrateToLatest } from '../migrate.js';
import { type TestTemplate, uniqueDatabaseName, withDatabase } from './template.js';

/**
 * Vitest globalSetup: migrates one template database per test run, so that each test file gets
 * a fresh copy in well under a second instead of paying for initdb and migrations itself.
 * TEST_DATABASE_URL selects real Postgres (a template database); otherwise PGlite (a data-dir dump).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  const template = adminUrl ? await createPostgresTemplate(adminUrl) : await createPGliteTemplate();
  project.provide('taskwireTestTemplate', template);
  return () => dropTemplate(template);
}

async function createPGliteTemplate(): Promise<TestTemplate> {
  const pglite = await PGlite.create(pgliteOptions());
  const db = createPGliteDb(pglite);
  await migrateToLatest(db);
  const dump = await pglite.dumpDataDir('none');
  await db.destroy();
  const dumpPath = join(tmpdir(), `taskwire-template-${randomUUID()}.tar`);
  await writeFile(dumpPath, Buffer.from(await dump.arrayBuffer()));
  return { kind: 'pglite', dumpPath };
}

async function createPostgresTemplate(adminUrl: string): Promise<TestTemplate> {
  const templateName = uniqueDatabaseName('taskwire_tpl');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${templateName}`);
  } finally {
    await admin.end();
  }
  const db = createDb({ databaseUrl: withDatabase(adminUrl, templateName) });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return { kind: 'postgres', adminUrl, templateName };
}

async function dropTemplate(template: TestTemplate): Promise<void> {
  if (template.kind === 'pglite') {
    await rm(template.dumpPath, { force: true });
    return;
  }
  const admin = new pg.Client({ connectionString: template.adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${template.templateName} with (force)`);
  } finally {
    await admin.end();
  }
}
