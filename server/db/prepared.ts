// Hot queries built and compiled once per database, then run with new parameters (issue 9):
// Kysely builds the query tree and compiles it to SQL on every call, which on the device
// status route cost as much as SQLite running the statements. `prepared` builds the query
// with placeholder arguments, compiles it, remembers where each argument landed among the
// parameters, and from then on only swaps the arguments in. The SQL text is the dialect's
// own, so it works on SQLite and PostgreSQL alike, and SQLite's statement cache
// (db/database.ts) then reuses the prepared statement too.
//
// Compiled once per database, not per handle: a transaction's handle is new each time but
// shares its database's adapter (and so its dialect's SQL), which is the key.
//
// Every argument must reach the query as a parameter exactly once, unchanged (a `where`, a
// `limit`, a join's `on`): that is checked when the query is first compiled, and a query
// that transforms an argument is refused there rather than run with the wrong value.
import type { CompiledQuery, Compilable, QueryResult } from 'kysely';
import type { Db } from './schema.js';

interface Compiled<R> {
  readonly query: CompiledQuery<R>;
  /** For each parameter, the argument it takes, or -1 for a constant of the query. */
  readonly slots: readonly number[];
}

export type PreparedQuery<A extends readonly unknown[], R> = (db: Db, ...args: A) => Promise<R[]>;
/** A prepared insert, update or delete: resolves to the number of rows it changed. */
export type PreparedWrite<A extends readonly unknown[]> = (db: Db, ...args: A) => Promise<number>;

export function prepared<A extends readonly unknown[], R>(build: (db: Db, ...args: A) => Compilable<R>): PreparedQuery<A, R> {
  const run = runner(build);
  return async (db, ...args) => (await run(db, args)).rows;
}

/** A prepared query for one row (the first), as Kysely's `executeTakeFirst`. */
export function preparedFirst<A extends readonly unknown[], R>(build: (db: Db, ...args: A) => Compilable<R>): (db: Db, ...args: A) => Promise<R | undefined> {
  const run = runner(build);
  return async (db, ...args) => (await run(db, args)).rows[0];
}

export function preparedWrite<A extends readonly unknown[]>(build: (db: Db, ...args: A) => Compilable<unknown>): PreparedWrite<A> {
  const run = runner(build);
  return async (db, ...args) => Number((await run(db, args)).numAffectedRows ?? 0n);
}

function runner<A extends readonly unknown[], R>(build: (db: Db, ...args: A) => Compilable<R>): (db: Db, args: A) => Promise<QueryResult<R>> {
  const byDatabase = new WeakMap<object, Compiled<R>>();
  return (db, args) => {
    const key = db.getExecutor().adapter;
    let compiled = byDatabase.get(key);
    if (compiled === undefined) {
      compiled = compile(db, build, args.length);
      byDatabase.set(key, compiled);
    }
    const { query, slots } = compiled;
    const parameters = slots.map((slot, i) => (slot === -1 ? query.parameters[i] : args[slot]));
    return db.executeQuery<R>({ ...query, parameters });
  };
}

function compile<A extends readonly unknown[], R>(db: Db, build: (db: Db, ...args: A) => Compilable<R>, arity: number): Compiled<R> {
  const placeholders = Array.from({ length: arity }, (_, i) => `\u0000prepared-argument-${i}\u0000`);
  const query = build(db, ...(placeholders as unknown as A)).compile();
  const slots = query.parameters.map((parameter) => placeholders.indexOf(parameter as string));
  for (let i = 0; i < arity; i++) {
    const uses = slots.filter((slot) => slot === i).length;
    if (uses !== 1) throw new Error(`prepared query: argument ${i} reaches the parameters ${uses} times, not once (${query.sql})`);
  }
  return { query, slots };
}

/**
 * A prepared insert that takes a row object: every one of `columns` goes in as a parameter, in
 * that order (a missing value as null). For tables whose rows are written whole.
 */
export function preparedInsert<Row extends object>(columns: readonly (keyof Row & string)[], build: (db: Db, row: Row) => Compilable<unknown>): PreparedWrite<[Row]> {
  const write = preparedWrite((db: Db, ...values: unknown[]) => build(db, Object.fromEntries(columns.map((column, i) => [column, values[i]])) as Row));
  return (db, row) => write(db, ...columns.map((column) => (row as Record<string, unknown>)[column] ?? null));
}
