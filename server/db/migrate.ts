// Numbered migrations, applied in order by Kysely's migrator. Add a change as a new file
// (`0002-…ts`) and list it here; never edit one that has shipped.
import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-service-rules.js';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': m0001,
  '0002-service-rules': m0002,
};

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Brings the schema up to date; safe to run on every start and from several processes. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<MigrationResultSet> {
  // On PostgreSQL the migrator must be told our schema: otherwise a kysely_migration table in
  // any other schema of the database counts as ours, and ours is never created.
  const schema = dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let result = await migrator.migrateToLatest();
  // The migrator's introspection looks at our schema only (db/scoped-introspector.ts), so other
  // schemas dropped meanwhile (a shared server: parallel test runs) no longer fail it; this retry
  // stays as a second line. The migrations run in one transaction on PostgreSQL, so running them
  // again is safe; a real failure fails every time.
  for (let attempt = 1; attempt < 5 && result.error && dialect === 'postgres' && isCatalogRace(result.error); attempt++) {
    result = await migrator.migrateToLatest();
  }
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? '(unknown)';
    throw new MigrationError(`migration ${failed} failed: ${(result.error as Error).message ?? String(result.error)}`, {
      cause: result.error,
    });
  }
  return result;
}

/** PostgreSQL's "does not exist" family: schema, table, column, object; and a relation gone by OID. */
function isCatalogRace(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '3F000' || code === '42P01' || code === '42703' || code === '42704' || code === 'XX000';
}
