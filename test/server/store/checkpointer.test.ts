// WAL checkpoints off the event loop (server/db/checkpointer.ts): with background checkpoints
// the server's own commits never checkpoint (wal_autocheckpoint 0), and the worker thread copies
// the log into the database file by itself; closing the store stops the thread. Without them
// (the CLI, the tests' stores) SQLite's default stands.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { openDatabase, SQLITE_FILE_NAME, type DatabaseHandle } from '../../../server/db/database.js';

async function autocheckpoint(store: DatabaseHandle): Promise<number> {
  const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(store.db);
  return rows[0]!.wal_autocheckpoint;
}

t.test('background checkpoints', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-checkpoint-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = await openDatabase({ dataDir: dir }, { backgroundCheckpoints: true });
  let closed = false;
  t.teardown(() => (closed ? undefined : store.close()));
  t.equal(await autocheckpoint(store), 0, "the server's commits never checkpoint");

  const file = join(dir, SQLITE_FILE_NAME);
  const before = (await stat(file)).size;
  // About 2,000 pages of 4 KiB into the log: past the 1,000 at which a commit would checkpoint.
  await sql`create table filler (id integer primary key, body text)`.execute(store.db);
  for (let i = 0; i < 40; i++) {
    await sql`insert into filler (body) select hex(randomblob(1000)) from (with recursive n(x) as (select 1 union all select x + 1 from n where x < 100) select x from n)`.execute(store.db);
  }
  // The worker thread checkpoints within about a second; nothing here does it.
  const deadline = Date.now() + 10_000;
  while ((await stat(file)).size < before + 4_000_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok((await stat(file)).size >= before + 4_000_000, 'the log was copied into the database file by the thread');

  await store.close();
  closed = true;
  const reopened = await openDatabase({ dataDir: dir });
  t.teardown(() => reopened.close());
  const { rows } = await sql<{ n: number }>`select count(*) as n from filler`.execute(reopened.db);
  t.equal(rows[0]!.n, 4_000, 'every row is there after close');
  t.equal(await autocheckpoint(reopened), 1_000, "without background checkpoints SQLite's default stands");
});
