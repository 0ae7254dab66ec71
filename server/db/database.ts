// Opens the store: a SQLite file in the data directory by default, PostgreSQL when a URL names
// one. Both go through Kysely, with the same schema and the same queries.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase, type SqliteStatement } from 'kysely';
import pg from 'pg';
import { redactUrl, type Logger } from '../../shared/log.js';
import { startCheckpointer } from './checkpointer.js';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrate.js';
import { CurrentSchemaPostgresDialect } from './scoped-introspector.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseSettings {
  /** `postgres://…`; unset means SQLite. */
  readonly databaseUrl?: string | undefined;
  /** Where the SQLite file lives. */
  readonly dataDir: string;
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where it is, without any password: a file path or `postgres://host:port/db`. */
  readonly location: string;
  close(): Promise<void>;
}

export const SQLITE_FILE_NAME = 'serviceplus.sqlite';

/** PostgreSQL's int8 (bigint, count(*)) arrives as text by default; our numbers fit a double. */
const INT8_OID = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  readonly migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  readonly poolSize?: number;
  /** PostgreSQL: how long a new connection may take before the request fails as unavailable (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** SQLite: WAL checkpoints in a worker thread instead of inside commits (the server; see checkpointer.ts). */
  readonly backgroundCheckpoints?: boolean;
  /** Where the checkpoint thread reports trouble. */
  readonly log?: Logger;
}

export async function openDatabase(settings: DatabaseSettings, options: OpenOptions = {}): Promise<DatabaseHandle> {
  const sqlite = settings.databaseUrl ? null : openSqlite(settings.dataDir);
  const handle = sqlite?.handle ?? openPostgres(settings.databaseUrl!, options);
  try {
    await sql`select 1`.execute(handle.db);
    if (options.migrate ?? true) await migrateToLatest(handle.db as Kysely<unknown>, handle.dialect);
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
  if (sqlite && options.backgroundCheckpoints) return withCheckpointer(handle, sqlite.database, options.log);
  return handle;
}

async function withCheckpointer(handle: DatabaseHandle, database: BetterSqlite3.Database, log: Logger | undefined): Promise<DatabaseHandle> {
  try {
    const checkpointer = await startCheckpointer(database, handle.location, log);
    return {
      ...handle,
      async close() {
        await checkpointer.stop();
        await handle.close();
      },
    };
  } catch (error) {
    log?.warn({ err: (error as Error).message }, 'no background WAL checkpoints; SQLite checkpoints in its commits');
    return handle;
  }
}

function openSqlite(dataDir: string): { handle: DatabaseHandle; database: BetterSqlite3.Database } {
  mkdirSync(dataDir, { recursive: true });
  const file = resolve(join(dataDir, SQLITE_FILE_NAME));
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  // Another process (the CLI creating a token) may hold the write lock for a moment. The wait
  // blocks the whole event loop (better-sqlite3 is synchronous), so it is short: a lock held
  // longer is an outage, answered 503 (server/db/unavailable.ts), not a server that stops.
  database.pragma('busy_timeout = 1000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { handle: { db, dialect: 'sqlite', location: file, close: () => db.destroy() }, database };
}

/**
 * Kysely's SQLite driver prepares every statement anew; our queries are a few hundred distinct
 * texts, so prepared statements are kept and reused (bench/api.ts and bench/fleet.ts measured
 * preparing at about a third of the driver's time). Safe: the driver runs one statement at a time
 * on its single connection.
 */
function withStatementCache(database: BetterSqlite3.Database, limit = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql); // re-inserted below: the map's order is the least recently used first
      } else {
        statement = rowsNamedHere(database.prepare(sql));
        if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

/**
 * better-sqlite3 builds each row object in C++, setting the properties one by one through V8's
 * API, which cost more than SQLite's own work on a page of rows: the device route's 20 events
 * took 67 µs as objects and 51 µs as arrays named in JavaScript (issue 9). Same objects: the
 * columns in order, a later column of the same name overwriting an earlier one.
 */
function rowsNamedHere(statement: BetterSqlite3.Statement): SqliteStatement {
  if (!statement.reader) return statement;
  let names = statement.columns().map((column) => column.name);
  if (names.includes('__proto__')) return statement; // a property set would change the prototype
  const raw = statement.raw(true);
  const named = (row: unknown[]): Record<string, unknown> => {
    // SQLite prepares a statement again after a schema change; its columns may have changed too.
    if (row.length !== names.length) names = statement.columns().map((column) => column.name);
    const object: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) object[names[i]!] = row[i];
    return object;
  };
  return {
    reader: true,
    all: (parameters) => (raw.all(parameters) as unknown[][]).map(named),
    run: (parameters) => raw.run(parameters),
    *iterate(parameters) {
      for (const row of raw.iterate(parameters) as IterableIterator<unknown[]>) yield named(row);
    },
  };
}

function openPostgres(url: string, options: OpenOptions): DatabaseHandle {
  // A database that does not answer (a dropped route, a full backlog) fails a request after 5 s
  // with a 503 (server/db/unavailable.ts) instead of leaving it waiting for ever.
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: pgTypes, connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000 });
  // An idle client that loses its server emits 'error' on the pool; without a listener that
  // would crash the process. The next query reconnects.
  pool.on('error', () => {});
  // A client that is checked out (a transaction between two statements, the cluster lock's
  // connection while its work runs) emits 'error' on itself instead; unheard, that would crash
  // the server when the database goes away (issue 11, test/faults/database-outage.test.ts). The
  // statement in flight still fails, and the API answers 503 (server/db/unavailable.ts).
  pool.on('connect', (client) => client.on('error', () => {}));
  // Introspection (the migrator's) sees our schema only: see scoped-introspector.ts.
  const db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location: redactUrl(url), close: () => db.destroy() };
}

