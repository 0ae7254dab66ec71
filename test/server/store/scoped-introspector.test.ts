// On PostgreSQL the migrator's introspection sees our schema only, so other schemas created and
// dropped meanwhile (parallel test files on one server, each in its own schema) cannot fail a
// migration with `schema "sp_test_…" does not exist` (the stock introspector looked every
// schema's name up again with has_schema_privilege). On SQLite there is nothing to show.
import { sql } from 'kysely';
import pg from 'pg';
import t from 'tap';
import { migrateToLatest } from '../../../server/db/migrate.js';
import { openTestDatabase } from '../../helpers/database.js';

const baseUrl = process.env['SP_DATABASE_URL'];

t.test('introspection and migration ignore other schemas, even ones dropped meanwhile', { skip: baseUrl ? false : 'SQLite: one file, no schemas' }, async (t) => {
  const { handle } = await openTestDatabase(t);
  const ours = (await sql<{ schema: string }>`select current_schema() as schema`.execute(handle.db)).rows[0]!.schema;
  const admin = new pg.Pool({ connectionString: baseUrl, max: 2 });
  t.teardown(() => admin.end());

  const other = `${ours}_other`;
  await admin.query(`create schema ${other}; create table ${other}.kysely_migration (name text); create table ${other}.subscriptions (id serial)`);
  t.teardown(() => admin.query(`drop schema if exists ${other} cascade`));
  const tables = await handle.db.introspection.getTables({ withInternalKyselyTables: true });
  t.ok(tables.length > 10, 'our tables are listed');
  t.same([...new Set(tables.map((table) => table.schema))], [ours], 'and only ours');
  t.ok(tables.some((table) => table.name === 'kysely_migration'), 'the migrator’s own table, when asked for');
  t.notOk((await handle.db.introspection.getTables()).some((table) => table.name === 'kysely_migration'), 'not otherwise');
  t.same(await handle.db.introspection.getSchemas(), [{ name: ours }]);
  const subscriptions = tables.find((table) => table.name === 'subscriptions')!;
  t.match(subscriptions.columns.find((column) => column.name === 'id'), { dataType: 'text', isNullable: false });

  // Schemas with tables come and go while the migrator checks its tables again and again.
  let churning = true;
  const churn = async (tag: string) => {
    for (let i = 0; churning; i++) {
      const name = `${ours}_churn_${tag}_${i}`;
      await admin.query(`create schema ${name}; create table ${name}.a (id serial primary key, x text); create table ${name}.b (id text)`);
      await admin.query(`drop schema ${name} cascade`);
    }
  };
  const churners = [churn('a'), churn('b')];
  const failures: string[] = [];
  for (let i = 0; i < 150; i++) {
    try {
      await handle.db.introspection.getTables({ withInternalKyselyTables: true });
      if (i % 30 === 0) await migrateToLatest(handle.db as never, 'postgres');
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  churning = false;
  await Promise.all(churners);
  t.same(failures, [], 'no lookup of a vanished schema (the stock introspector failed about 1 call in 20 here)');
});
