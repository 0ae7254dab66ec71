// A fresh database for each test: a SQLite file in a temp directory by default, or, when
// SP_DATABASE_URL names a PostgreSQL server (CI points it at this machine's), a new schema with a
// random name, reached through that URL with its search_path set, and dropped at the end. Test
// files run in parallel, so no two tests ever share tables. Test files that import this helper
// are run a second time by .ci/run against PostgreSQL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseHandle, type DatabaseSettings } from '../../server/db/database.js';

export interface TestDatabase {
  readonly kind: 'sqlite' | 'postgres';
  /** What the server's config takes: `{ databaseUrl }` (PostgreSQL) and `{ dataDir }`. */
  readonly settings: DatabaseSettings;
  /** Removes the database (drops the schema, deletes the directory). */
  drop(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A fresh, empty database, removed when the test `t` ends. */
export async function testDatabase(t: Teardown): Promise<TestDatabase> {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  return database;
}

/** A fresh database already migrated and opened; both closed and removed when `t` ends. */
export async function openTestDatabase(t: Teardown): Promise<{ handle: DatabaseHandle; database: TestDatabase }> {
  const database = await createTestDatabase();
  const handle = await openDatabase(database.settings);
  t.teardown(async () => {
    await handle.close();
    await database.drop();
  });
  return { handle, database };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sp-db-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  const baseUrl = process.env['SP_DATABASE_URL'];
  if (!baseUrl) {
    return { kind: 'sqlite', settings: { dataDir }, drop: async () => removeDir() };
  }

  const schema = `sp_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(baseUrl, `create schema ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  let dropped = false;
  return {
    kind: 'postgres',
    settings: { databaseUrl: url.toString(), dataDir },
    async drop() {
      if (dropped) return;
      dropped = true;
      removeDir();
      await adminQuery(baseUrl, `drop schema if exists ${schema} cascade`);
    },
  };
}

/** One statement on its own connection (schema create and drop, outside any pool). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
